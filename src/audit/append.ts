import { sql } from 'kysely';
import { type Database, lockKey } from '../db/connect.ts';
import { type AuditEvent, type AuditEventInput, eventHash, genesisHash, prepareEvent } from './event.ts';
import { toAuditEvent } from './rows.ts';

const chainLock = lockKey('audit-chain');

/**
 * Appends events at the head of the chain. The transaction-scoped advisory lock makes concurrent writers,
 * in this process or another, take their turn: each reads the head after the previous one committed.
 * All events of one call are committed together or not at all.
 */
export async function appendEvents(
  database: Database,
  inputs: readonly AuditEventInput[],
): Promise<AuditEvent[]> {
  const prepared = inputs.map(prepareEvent);
  if (prepared.length === 0) return [];
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
