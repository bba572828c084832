import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { appendEvent } from '../audit/append.ts';
import type { ActorKind } from '../audit/event.ts';
import type { Database } from '../db/connect.ts';
import { phoneticKey } from './phonetic.ts';
import {
  type Attribute,
  type CollectionMethod,
  type IdentityEvent,
  type IdentityState,
  initialState,
  type Status,
  transition,
  type ValidationMode,
} from './rniv.ts';
import { parseTraits, type TraitsInput, type TraitsStricts } from './traits.ts';

/** Who acts on an identity, for the audit trail: a professional (idNat_PS) or a token, on behalf of a structure. */
export interface IdentityActor {
  kind: ActorKind;
  id: string;
  structureFiness?: string | null;
  /** The electronic-identification means used (e-CPS, CPS, jeton d'API…) and its level. */
  means: string;
  level?: string | null;
}

export interface InsRecord {
  matricule: string;
  cle: string;
  oid: string;
  histo: Array<{ matricule: string; cle: string; oid: string }>;
}

export interface Usager {
  id: string;
  structureFiness: string | null;
  traits: TraitsStricts;
  nomUtilise: string | null;
  prenomUtilise: string | null;
  telephone: string | null;
  email: string | null;
  identity: IdentityState;
  ins: InsRecord | null;
  mergedInto: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export class UsagerNotFoundError extends Error {
  override name = 'UsagerNotFoundError';
}

interface Row {
  id: string;
  structure_finess: string | null;
  nom_naissance: string;
  prenoms_naissance: string;
  premier_prenom: string;
  sexe: 'M' | 'F';
  date_naissance: string;
  lieu_naissance: string;
  nom_utilise: string | null;
  prenom_utilise: string | null;
  telephone: string | null;
  email: string | null;
  status: Status;
  method: CollectionMethod;
  attributes: Attribute[];
  document_mode: ValidationMode | null;
  document_checked_by: string | null;
  document_checked_at: Date | null;
  insi_at: Date | null;
  ins_matricule: string | null;
  ins_cle: string | null;
  ins_oid: string | null;
  ins_histo: InsRecord['histo'];
  merged_into: string | null;
  created_at: Date;
  updated_at: Date;
}

function fromRow(r: Row): Usager {
  return {
    id: r.id,
    structureFiness: r.structure_finess,
    traits: {
      nomNaissance: r.nom_naissance,
      prenomsNaissance: r.prenoms_naissance.split(' '),
      premierPrenom: r.premier_prenom,
      sexe: r.sexe,
      dateNaissance: r.date_naissance,
      lieuNaissance: r.lieu_naissance,
    },
    nomUtilise: r.nom_utilise,
    prenomUtilise: r.prenom_utilise,
    telephone: r.telephone,
    email: r.email,
    identity: {
      status: r.status,
      method: r.method,
      attributes: r.attributes ?? [],
      document:
        r.document_mode && r.document_checked_by && r.document_checked_at
          ? {
              mode: r.document_mode,
              checkedBy: r.document_checked_by,
              checkedAt: r.document_checked_at.toISOString(),
            }
          : null,
      insiAt: r.insi_at?.toISOString() ?? null,
    },
    ins:
      r.ins_matricule && r.ins_cle && r.ins_oid
        ? { matricule: r.ins_matricule, cle: r.ins_cle, oid: r.ins_oid, histo: r.ins_histo ?? [] }
        : null,
    mergedInto: r.merged_into,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface NewUsager {
  traits: TraitsInput;
  structureFiness?: string | null;
  nomUtilise?: string | null;
  prenomUtilise?: string | null;
  telephone?: string | null;
  email?: string | null;
  method?: CollectionMethod;
}

const optional = (v: string | null | undefined) => (v?.trim() ? v.trim() : null);

export async function audit(
  database: Database,
  actor: IdentityActor,
  action: string,
  outcome: 'success' | 'failure' | 'denied',
  usagerId: string | null,
  details: Record<string, unknown>,
): Promise<void> {
  await appendEvent(database, {
    action,
    outcome,
    actor: { kind: actor.kind, id: actor.id },
    structureFiness: actor.structureFiness ?? null,
    mie: { means: actor.means, level: actor.level ?? null },
    subject: usagerId ? { type: 'usager', id: usagerId } : null,
    details,
  });
}

/** The actor, acting for the usager's structure when the session names none (the audit trail wants a FINESS). */
export function onBehalfOf(actor: IdentityActor, structureFiness: string | null): IdentityActor {
  return { ...actor, structureFiness: actor.structureFiness ?? structureFiness };
}

/** Records an usager with PROV status; traits are normalised and checked first (TraitsError with every field). */
export async function createUsager(
  database: Database,
  input: NewUsager,
  actor: IdentityActor,
): Promise<Usager> {
  const traits = parseTraits(input.traits);
  const id = `usg_${randomBytes(9).toString('base64url')}`;
  const state = initialState(input.method ?? 'SM');
  await sql`
    insert into usager (id, structure_finess, nom_naissance, prenoms_naissance, premier_prenom, sexe, date_naissance,
      lieu_naissance, nom_utilise, prenom_utilise, telephone, email, nom_phonetique, status, method)
    values (${id}, ${input.structureFiness ?? actor.structureFiness ?? null}, ${traits.nomNaissance},
      ${traits.prenomsNaissance.join(' ')}, ${traits.premierPrenom}, ${traits.sexe}, ${traits.dateNaissance},
      ${traits.lieuNaissance}, ${optional(input.nomUtilise)}, ${optional(input.prenomUtilise)}, ${optional(input.telephone)},
      ${optional(input.email)}, ${phoneticKey(traits.nomNaissance)}, ${state.status}, ${state.method})`.execute(
    database.db,
  );
  await audit(database, actor, 'identity.usager.create', 'success', id, {
    status: state.status,
    method: state.method,
  });
  return getUsager(database, id);
}

export async function getUsager(database: Database, id: string): Promise<Usager> {
  const row = (await sql<Row>`select * from usager where id = ${id}`.execute(database.db)).rows[0];
  if (!row) throw new UsagerNotFoundError(`Usager ${id} inconnu.`);
  return fromRow(row);
}

export async function saveIdentity(
  database: Database,
  id: string,
  s: IdentityState,
  ins?: InsRecord,
): Promise<void> {
  await sql`
    update usager set status = ${s.status}, method = ${s.method}, attributes = ${sql`${s.attributes}::text[]`},
      document_mode = ${s.document?.mode ?? null}, document_checked_by = ${s.document?.checkedBy ?? null},
      document_checked_at = ${s.document?.checkedAt ?? null}, insi_at = ${s.insiAt},
      ${ins ? sql`ins_matricule = ${ins.matricule}, ins_cle = ${ins.cle}, ins_oid = ${ins.oid}, ins_histo = ${JSON.stringify(ins.histo)}::jsonb,` : sql``}
      updated_at = now()
    where id = ${id}`.execute(database.db);
}

/**
 * Applies an RNIV event (document checked, attribute set or lifted…) and records it; a refusal changes nothing,
 * is audited as denied and comes back with its French reason.
 */
export async function applyIdentityEvent(
  database: Database,
  id: string,
  event: IdentityEvent,
  actor: IdentityActor,
): Promise<{ usager: Usager; ok: boolean; reason: string }> {
  const usager = await getUsager(database, id);
  actor = onBehalfOf(actor, usager.structureFiness);
  const t = transition(usager.identity, event);
  const details = {
    event: event.type,
    from: usager.identity.status,
    to: t.state.status,
    ...('mode' in event && { mode: event.mode }),
  };
  if (!t.ok) {
    await audit(database, actor, 'identity.status.change', 'denied', id, { ...details, reason: t.reason });
    return { usager, ok: false, reason: t.reason };
  }
  if (t.changed) {
    await saveIdentity(database, id, t.state);
    await audit(database, actor, 'identity.status.change', 'success', id, details);
  }
  return { usager: await getUsager(database, id), ok: true, reason: t.reason };
}

export interface UsagerFilter {
  status?: Status;
  structureFiness?: string;
  /** Start of the birth name. */
  nom?: string;
}

export async function listUsagers(
  database: Database,
  filter: UsagerFilter = {},
  limit = 100,
): Promise<Usager[]> {
  const conditions = [sql`merged_into is null`];
  if (filter.status) conditions.push(sql`status = ${filter.status}`);
  if (filter.structureFiness) conditions.push(sql`structure_finess = ${filter.structureFiness}`);
  if (filter.nom)
    conditions.push(sql`nom_naissance like ${`${filter.nom.toUpperCase().replace(/[\\%_]/g, '\\$&')}%`}`);
  const rows = await sql<Row>`
    select * from usager where ${sql.join(conditions, sql` and `)}
    order by nom_naissance, premier_prenom, id limit ${limit}`.execute(database.db);
  return rows.rows.map(fromRow);
}

export interface QualificationShare {
  structureFiness: string | null;
  total: number;
  qualified: number;
  byStatus: Record<Status, number>;
}

/** Share of qualified identities per structure: the Ségur indicator "Qualification INS OK". */
export async function qualificationShares(database: Database): Promise<QualificationShare[]> {
  const rows = await sql<{ structure_finess: string | null; status: Status; n: number }>`
    select structure_finess, status, count(*)::int as n from usager where merged_into is null
    group by structure_finess, status order by structure_finess`.execute(database.db);
  const by = new Map<string | null, QualificationShare>();
  for (const r of rows.rows) {
    const s = by.get(r.structure_finess) ?? {
      structureFiness: r.structure_finess,
      total: 0,
      qualified: 0,
      byStatus: { PROV: 0, RECUP: 0, VALI: 0, QUAL: 0 },
    };
    s.total += r.n;
    s.byStatus[r.status] += r.n;
    if (r.status === 'QUAL') s.qualified += r.n;
    by.set(r.structure_finess, s);
  }
  return [...by.values()];
}
