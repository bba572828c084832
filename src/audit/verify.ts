import type { Database } from '../db/connect.ts';
import { type AuditEvent, eventHash, genesisHash, preparedFromStored } from './event.ts';
import { toAuditEvent } from './rows.ts';

export type Break =
  | { seq: number; kind: 'altered'; detail: string }
  | { seq: number; kind: 'link'; detail: string }
  | { seq: number; kind: 'gap'; detail: string };

export interface ChainPoint {
  seq: number;
  hash: string;
}

export interface Verification {
  /** Events checked in this run. */
  checked: number;
  /** Last event known good (the starting point if nothing was checked). */
  verifiedUpTo: ChainPoint;
  firstBreak: Break | null;
}

const origin: ChainPoint = { seq: 0, hash: genesisHash };

/** Pure check of consecutive events after `from`; stops at the first break. */
export function checkEvents(
  events: readonly AuditEvent[],
  from: ChainPoint,
): { upTo: ChainPoint; firstBreak: Break | null } {
  let prev = from;
  for (const e of events) {
    if (e.seq !== prev.seq + 1)
      return {
        upTo: prev,
        firstBreak: {
          seq: prev.seq + 1,
          kind: 'gap',
          detail: `événements ${prev.seq + 1} à ${e.seq - 1} absents`,
        },
      };
    if (e.prevHash !== prev.hash)
      return {
        upTo: prev,
        firstBreak: {
          seq: e.seq,
          kind: 'link',
          detail: 'le lien vers l’événement précédent ne correspond pas',
        },
      };
    if (eventHash(e.seq, e.occurredAt, preparedFromStored(e), e.prevHash) !== e.hash)
      return {
        upTo: prev,
        firstBreak: { seq: e.seq, kind: 'altered', detail: 'le contenu ne correspond plus à son empreinte' },
      };
    prev = { seq: e.seq, hash: e.hash };
  }
  return { upTo: prev, firstBreak: null };
}

/**
 * Recomputes the chain from `from` (the origin by default) in pages, so memory stays flat whatever its length.
 * `onProgress` receives the number of events checked so far.
 */
export async function verifyChain(
  database: Database,
  options: { from?: ChainPoint; pageSize?: number; onProgress?: (checked: number) => void } = {},
): Promise<Verification> {
  const pageSize = options.pageSize ?? 5000;
  let point = options.from ?? origin;
  let checked = 0;
  for (;;) {
    const rows = await database.db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>', point.seq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    const { upTo, firstBreak } = checkEvents(rows.map(toAuditEvent), point);
    checked += upTo.seq - point.seq;
    point = upTo;
    options.onProgress?.(checked);
    if (firstBreak) return { checked, verifiedUpTo: point, firstBreak };
    if (rows.length < pageSize) return { checked, verifiedUpTo: point, firstBreak: null };
  }
}

export interface ChainState {
  status: 'unchecked' | 'intact' | 'broken';
  verifiedUpTo: ChainPoint;
  firstBreak: Break | null;
  checkedAt: Date | null;
}

/**
 * Keeps the console's view of the chain current cheaply: each refresh checks only the events appended since
 * the previous one. `confiance audit verify` does the full recomputation.
 */
export class ChainMonitor {
  private state: ChainState = {
    status: 'unchecked',
    verifiedUpTo: origin,
    firstBreak: null,
    checkedAt: null,
  };
  private running: Promise<ChainState> | undefined;

  constructor(private readonly database: Database) {}

  current(): ChainState {
    return this.state;
  }

  refresh(): Promise<ChainState> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<ChainState> {
    if (this.state.status === 'broken') return this.state;
    const result = await verifyChain(this.database, { from: this.state.verifiedUpTo });
    this.state = {
      status: result.firstBreak ? 'broken' : 'intact',
      verifiedUpTo: result.verifiedUpTo,
      firstBreak: result.firstBreak,
      checkedAt: new Date(),
    };
    return this.state;
  }
}
