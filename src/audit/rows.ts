import type { Selectable } from 'kysely';
import type { AuditEventTable } from '../db/schema.ts';
import type { ActorKind, AuditEvent, Outcome } from './event.ts';

export function toAuditEvent(row: Selectable<AuditEventTable>): AuditEvent {
  return {
    seq: row.seq,
    occurredAt: row.occurred_at,
    action: row.action,
    outcome: row.outcome as Outcome,
    actorKind: row.actor_kind as ActorKind,
    actorId: row.actor_id,
    structureFiness: row.structure_finess,
    mie: row.mie,
    mieLevel: row.mie_level,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    requestId: row.request_id,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
