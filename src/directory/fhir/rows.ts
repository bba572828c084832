// Whole FHIR resources read by key, each kind in one query (migration 0014's functions).
import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/connect.ts';
import type { ResourceType } from './params.ts';
import {
  type ActivityRow,
  type CabinetRow,
  cabinetOrganization,
  type DiplomaRow,
  type EquipmentRow,
  healthcareService,
  type MailboxRow,
  organization,
  type ProfessionalRow,
  type ProfessionRow,
  practitioner,
  practitionerRole,
  type SavoirFaireRow,
  type StructureRow,
} from './resources.ts';

type Json = Record<string, unknown>;
type Condition = RawBuilder<unknown>;

/** A resource as stored, its JSON text sent as it is (`toJsonText`) instead of parsed and serialised again. */
export class StoredResource {
  constructor(
    readonly resourceType: string,
    readonly id: string,
    readonly text: string,
  ) {}
}

export type Resource = Json | StoredResource;

/** A resource as an object, parsing a stored one. */
export const resourceObject = (resource: Resource): Json =>
  resource instanceof StoredResource ? (JSON.parse(resource.text) as Json) : resource;

export interface Fetched {
  /** The row's key in the table (what keyset paging orders by). */
  key: string;
  resource: Resource;
}

/** A set of keys for the read functions: a key query (`array(select …)`) or a list of values. */
export type Keys = Condition;
export type Fetcher = (database: Database, keys: Keys) => Promise<Fetched[]>;
export const keyArray = (query: Condition): Keys => sql`array(${query})`;
export const list = (values: string[]): Keys => sql`${values}::text[]`;

/** Practitioners whose idNat_PS is in `ids`, each with its parts (migration 0014's function), in one query. */
export async function practitionerRows(
  database: Database,
  ids: Keys,
): Promise<Array<Fetched & { idType: string | null; ppId: string | null }>> {
  const result = await sql<
    ProfessionalRow & {
      professions: ProfessionRow[];
      savoir_faire: SavoirFaireRow[];
      diplomas: DiplomaRow[];
      mailboxes: MailboxRow[];
    }
  >`select * from dir_practitioner_rows(${ids})`.execute(database.db);
  return result.rows.map((row) => ({
    key: row.id_nat,
    idType: row.id_type,
    ppId: row.pp_id,
    resource: practitioner(row, {
      professions: row.professions,
      savoirFaire: row.savoir_faire,
      diplomas: row.diplomas,
      mailboxes: row.mailboxes,
    }),
  }));
}

export type PractitionerFetched = Fetched & { idType: string | null; ppId: string | null };

/** Practitioners whose idNat_PS is in `ids`, in idNat_PS order: their stored bodies, or worked out if none. */
export const practitionerResources = (database: Database, ids: Keys): Promise<PractitionerFetched[]> =>
  practitionerResourcesWhere(database, sql`p.id_nat = any(${ids})`);

/**
 * Practitioners matching `where` (on `p`, their `dir_professional` row), in idNat_PS order: their stored bodies,
 * or worked out if none. A condition rather than keys lets a lookup by identifiers read each professional's row
 * once (a key list from a subquery read it twice: 15 buffers a lookup instead of 11).
 */
export async function practitionerResourcesWhere(
  database: Database,
  where: Condition,
): Promise<PractitionerFetched[]> {
  const result = await sql<{
    id_nat: string;
    id_type: string | null;
    pp_id: string | null;
    body: string | null;
  }>`
    select p.id_nat, p.id_type, p.pp_id, b.body from dir_professional p
    left join dir_practitioner_body b on b.id_nat = p.id_nat
    where ${where} order by p.id_nat`.execute(database.db);
  const missing = result.rows.filter((r) => r.body === null).map((r) => r.id_nat);
  const worked = new Map(
    missing.length > 0 ? (await practitionerRows(database, list(missing))).map((r) => [r.key, r]) : [],
  );
  return result.rows.flatMap((r) => {
    if (r.body !== null)
      return [
        {
          key: r.id_nat,
          idType: r.id_type,
          ppId: r.pp_id,
          resource: new StoredResource('Practitioner', r.id_nat, r.body),
        },
      ];
    // A practitioner a merge removed between the two reads is left out, as the second read would.
    return worked.get(r.id_nat) ?? [];
  });
}

/** Situations d'exercice whose key is in `keys`, with their mailboxes, in key order. */
export async function roleRows(database: Database, keys: Keys): Promise<Fetched[]> {
  const result = await sql<ActivityRow & { key: string; mailboxes: MailboxRow[] }>`
    select * from dir_role_rows(${keys})`.execute(database.db);
  return result.rows.map((row) => ({ key: row.key, resource: practitionerRole(row, row.mailboxes) }));
}

/** Situations d'exercice matching `where` (on `t`), in key order, at most `limit`. */
export const roleRowsWhere = (database: Database, where: Condition, limit: number) =>
  roleRows(
    database,
    keyArray(sql`select t.key from dir_activity t where ${where} order by t.key limit ${limit}`),
  );

type Mailboxed<T> = T & { mailboxes: MailboxRow[] };

/**
 * Organizations whose id is in `ids`, with their MSSanté mailboxes, in id order: FINESS structures (id = FINESS)
 * and cabinets (id = technical structure identifier), read in one query, the keys worked out once.
 */
export async function organizationRows(database: Database, ids: Keys): Promise<Fetched[]> {
  const result = await sql<
    | { key: string; structure: Mailboxed<StructureRow>; cabinet: null }
    | { key: string; structure: null; cabinet: Mailboxed<CabinetRow> }
  >`
    with k as materialized (select ${ids} as ids)
    select o.finess as key, to_json(o) as structure, null::json as cabinet from k, dir_organization_rows(k.ids) o
    union all
    select c.structure_id, null, to_json(c) from k, dir_cabinet_rows(k.ids) c
    order by 1`.execute(database.db);
  return result.rows.map((row) => {
    // Rows come back as JSON, dates as text.
    const resource = row.structure
      ? organization(
          { ...row.structure, last_updated: new Date(row.structure.last_updated) },
          row.structure.mailboxes,
        )
      : cabinetOrganization(
          { ...row.cabinet, last_updated: new Date(row.cabinet.last_updated) },
          row.cabinet.mailboxes,
        );
    return { key: row.key, resource };
  });
}

/** Social equipment whose key is in `keys`, in key order. */
export async function equipmentRows(database: Database, keys: Keys): Promise<Fetched[]> {
  const result = await sql<EquipmentRow & { key: string }>`
    select * from dir_equipment_rows(${keys})`.execute(database.db);
  return result.rows.map((row) => ({ key: row.key, resource: healthcareService(row) }));
}

export const equipmentRowsWhere = (database: Database, where: Condition, limit: number) =>
  equipmentRows(
    database,
    keyArray(sql`select t.key from dir_equipment t where ${where} order by t.key limit ${limit}`),
  );

export const fetchers: Record<ResourceType, Fetcher> = {
  Practitioner: practitionerResources,
  PractitionerRole: roleRows,
  Organization: organizationRows,
  HealthcareService: equipmentRows,
};
