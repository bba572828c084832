import type { Database } from '../db/connect.ts';
import type { ActorKind, AuditEvent, Outcome } from './event.ts';
import { toAuditEvent } from './rows.ts';

export interface AuditFilter {
  actorKind?: ActorKind;
  actorId?: string;
  structureFiness?: string;
  subjectType?: string;
  subjectId?: string;
  /** Exact action, or a prefix ending with `.*` (`directory.*`). */
  action?: string;
  outcome?: Outcome;
  since?: Date;
  until?: Date;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Opaque cursor for the next (older) page, or null at the end. */
  next: string | null;
}

export class CursorError extends Error {
  override name = 'CursorError';
}

export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match?.[1]) throw new CursorError('Curseur de pagination invalide');
  return Number(match[1]);
}

/** Newest first, keyset-paged on the sequence number so pages stay stable while events are appended. */
export async function listEvents(
  database: Database,
  filter: AuditFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<AuditPage> {
  let query = database.db.selectFrom('audit_event').selectAll();
  if (filter.actorKind) query = query.where('actor_kind', '=', filter.actorKind);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.structureFiness) query = query.where('structure_finess', '=', filter.structureFiness);
  if (filter.subjectType) query = query.where('subject_type', '=', filter.subjectType);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.action?.endsWith('.*')) {
    const prefix = filter.action.slice(0, -1).replace(/[\\%_]/g, '\\$&');
    query = query.where('action', 'like', `${prefix}%`);
  } else if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.since) query = query.where('occurred_at', '>=', filter.since);
  if (filter.until) query = query.where('occurred_at', '<', filter.until);
  if (page.cursor) query = query.where('seq', '<', decodeCursor(page.cursor));
  const rows = await query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
  const events = rows.slice(0, page.limit).map(toAuditEvent);
  const last = events.at(-1);
  return { events, next: rows.length > page.limit && last ? encodeCursor(last.seq) : null };
}
