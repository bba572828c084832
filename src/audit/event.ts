import { createHash } from 'node:crypto';

export const outcomes = ['success', 'failure', 'denied'] as const;
export type Outcome = (typeof outcomes)[number];

/**
 * Who acted: a professional by idNat_PS, an usager or aidant by Confiance's internal id (never the INS),
 * a software client by its client id, or Confiance itself (scheduled job, CLI).
 */
export const actorKinds = ['professional', 'usager', 'aidant', 'software', 'system'] as const;
export type ActorKind = (typeof actorKinds)[number];

export interface AuditEventInput {
  action: string;
  outcome: Outcome;
  actor: { kind: ActorKind; id?: string | null };
  /** FINESS of the structure on whose behalf the action was made. */
  structureFiness?: string | null;
  /** Electronic-identification means used (e-CPS, CPS, FranceConnect+, ORG certificate…) and its level. */
  mie?: { means: string; level?: string | null } | null;
  subject?: { type: string; id: string } | null;
  requestId?: string | null;
  /** Context without health data or identity traits: ids, counts, reasons. */
  details?: Record<string, unknown>;
}

/** The flat, normalised content of an event, shared by its prepared and stored forms. */
interface EventFields {
  action: string;
  outcome: Outcome;
  actorKind: ActorKind;
  actorId: string | null;
  structureFiness: string | null;
  mie: string | null;
  mieLevel: string | null;
  subjectType: string | null;
  subjectId: string | null;
  requestId: string | null;
}

export interface AuditEvent extends EventFields {
  seq: number;
  occurredAt: Date;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export const genesisHash = '0'.repeat(64);
export const finessPattern = /^[0-9][0-9A-Z][0-9]{7}$/;
const actionPattern = /^[a-z][a-z0-9_.-]*$/;

/**
 * Keys that would carry identity traits or health data. The audit trail is read by more people than the
 * usager's file, so such values are refused outright rather than filtered.
 */
const forbiddenDetailKeys =
  /^(nom|prenom|prénom|prenoms|nomnaissance|birth|birthdate|datenaissance|lieunaissance|nir|nia|ins|matricule|diagnostic|diagnosis|password|motdepasse|secret|token)$/i;

export class AuditInputError extends Error {
  override name = 'AuditInputError';
}

/** JSON with object keys sorted at every depth: the same value always hashes the same, whatever jsonb did. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

function checkDetails(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new AuditInputError(`Caractère NUL dans ${path}`);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AuditInputError(`Nombre non fini dans ${path}`);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) checkDetails(v, `${path}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (forbiddenDetailKeys.test(key.replace(/[_-]/g, '')))
        throw new AuditInputError(
          `Clé interdite dans les détails d’audit (donnée d’identité ou de santé) : ${path}.${key}`,
        );
      checkDetails(v, `${path}.${key}`);
    }
  } else if (typeof value !== 'boolean' && value !== undefined && value !== null)
    throw new AuditInputError(`Valeur non sérialisable dans ${path}`);
}

const text = (value: string | null | undefined, field: string, max: number): string | null => {
  if (value === null || value === undefined) return null;
  if (value.length === 0 || value.length > max || value.includes('\0'))
    throw new AuditInputError(`${field} doit contenir de 1 à ${max} caractères`);
  return value;
};

/** The event's content before it is placed in the chain: validated, normalised, canonical details. */
export interface PreparedEvent extends EventFields {
  detailsJson: string;
}

export function prepareEvent(input: AuditEventInput): PreparedEvent {
  if (!actionPattern.test(input.action) || input.action.length > 100)
    throw new AuditInputError(`Action d’audit invalide : ${JSON.stringify(input.action)}`);
  if (!outcomes.includes(input.outcome))
    throw new AuditInputError(`Résultat invalide : ${String(input.outcome)}`);
  if (!actorKinds.includes(input.actor.kind))
    throw new AuditInputError(`Type d’acteur invalide : ${String(input.actor.kind)}`);
  const actorId = text(input.actor.id, 'L’identifiant de l’acteur', 128);
  if (input.actor.kind !== 'system' && actorId === null)
    throw new AuditInputError(`Un acteur ${input.actor.kind} doit être identifié`);
  const finess = input.structureFiness ?? null;
  if (finess !== null && !finessPattern.test(finess))
    throw new AuditInputError(`FINESS invalide : ${JSON.stringify(finess)} (9 caractères attendus)`);
  const details = input.details ?? {};
  checkDetails(details, 'details');
  const detailsJson = canonicalJson(details);
  if (detailsJson.length > 8192) throw new AuditInputError('Détails d’audit trop volumineux (8 Kio au plus)');
  return {
    action: input.action,
    outcome: input.outcome,
    actorKind: input.actor.kind,
    actorId,
    structureFiness: finess,
    mie: text(input.mie?.means, 'Le moyen d’identification', 64),
    mieLevel: text(input.mie?.level, 'Le niveau du moyen d’identification', 32),
    subjectType: text(input.subject?.type, 'Le type de sujet', 64),
    subjectId: text(input.subject?.id, 'L’identifiant du sujet', 128),
    requestId: text(input.requestId, 'L’identifiant de requête', 128),
    detailsJson,
  };
}

/** SHA-256 over the event's position, time, content and the previous hash, in a fixed field order. */
export function eventHash(seq: number, occurredAt: Date, e: PreparedEvent, prevHash: string): string {
  const material = JSON.stringify([
    seq,
    occurredAt.toISOString(),
    e.action,
    e.outcome,
    e.actorKind,
    e.actorId,
    e.structureFiness,
    e.mie,
    e.mieLevel,
    e.subjectType,
    e.subjectId,
    e.requestId,
    e.detailsJson,
    prevHash,
  ]);
  return createHash('sha256').update(material).digest('hex');
}

/** Rebuilds the hashed content of a stored event, to check it. */
export function preparedFromStored(e: AuditEvent): PreparedEvent {
  const { seq: _seq, occurredAt: _at, details, prevHash: _prev, hash: _hash, ...fields } = e;
  return { ...fields, detailsJson: canonicalJson(details) };
}
