import { sql } from 'kysely';
import { type Database, lockKey } from '../db/connect.ts';
import {
  type AuditEvent,
  type AuditEventInput,
  eventHash,
  genesisHash,
  type PreparedEvent,
  prepareEvent,
} from './event.ts';
import { toAuditEvent } from './rows.ts';

const chainLock = lockKey('audit-chain');

interface Pending {
  events: PreparedEvent[];
  resolve: (stored: AuditEvent[]) => void;
  reject: (error: unknown) => void;
}

/** Appends waiting per database; `flushing` while a transaction of this process writes at the head. */
const queues = new WeakMap<Database, { pending: Pending[]; flushing: boolean }>();

/**
 * Appends events at the head of the chain; resolves once they are committed. Appends of this process are
 * group-committed: while one transaction writes, the appends that arrive wait and go together in the next one,
 * so that concurrent requests do not each take the chain's lock in turn. A batch that fails is retried append
 * by append, so that one caller's failure is not another's. All events of one call are committed together or not
 * at all.
 */
export async function appendEvents(
  database: Database,
  inputs: readonly AuditEventInput[],
): Promise<AuditEvent[]> {
  const events = inputs.map(prepareEvent);
  if (events.length === 0) return [];
  let queue = queues.get(database);
  if (!queue) {
    queue = { pending: [], flushing: false };
    queues.set(database, queue);
  }
  const waiting = queue;
  return new Promise((resolve, reject) => {
    waiting.pending.push({ events, resolve, reject });
    if (!waiting.flushing) void flush(database, waiting);
  });
}

async function flush(database: Database, queue: { pending: Pending[]; flushing: boolean }): Promise<void> {
  queue.flushing = true;
  while (queue.pending.length > 0) {
    const batch = queue.pending.splice(0);
    try {
      const stored = await writeAtHead(
        database,
        batch.flatMap((p) => p.events),
      );
      let at = 0;
      for (const p of batch) {
        p.resolve(stored.slice(at, at + p.events.length));
        at += p.events.length;
      }
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      else for (const p of batch) await writeAtHead(database, p.events).then(p.resolve, p.reject);
    }
  }
  queue.flushing = false;
}

/**
 * One transaction at the head of the chain. The transaction-scoped advisory lock makes writers of other
 * processes take their turn: each reads the head after the previous one committed.
 */
async function writeAtHead(database: Database, prepared: readonly PreparedEvent[]): Promise<AuditEvent[]> {
  return database.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${chainLock}::bigint)`.execute(trx);
    const head = await trx
      .selectFrom('audit_event')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    let seq = head?.seq ?? 0;
    let prevHash = head?.hash ?? genesisHash;
    const occurredAt = new Date();
    const rows = prepared.map((e) => {
      seq += 1;
      const hash = eventHash(seq, occurredAt, e, prevHash);
      const row = {
        seq,
        occurred_at: occurredAt,
        action: e.action,
        outcome: e.outcome,
        actor_kind: e.actorKind,
        actor_id: e.actorId,
        structure_finess: e.structureFiness,
        mie: e.mie,
        mie_level: e.mieLevel,
        subject_type: e.subjectType,
        subject_id: e.subjectId,
        request_id: e.requestId,
        details: e.detailsJson,
        prev_hash: prevHash,
        hash,
      };
      prevHash = hash;
      return row;
    });
    // Stay well under PostgreSQL's 65 535 bind parameters per statement.
    for (let i = 0; i < rows.length; i += 2000) {
      await trx
        .insertInto('audit_event')
        .values(rows.slice(i, i + 2000))
        .execute();
    }
    return rows.map((row) => toAuditEvent({ ...row, details: JSON.parse(row.details) }));
  });
}

export async function appendEvent(database: Database, input: AuditEventInput): Promise<AuditEvent> {
  const [event] = await appendEvents(database, [input]);
  if (!event) throw new Error('audit event not stored');
  return event;
}
