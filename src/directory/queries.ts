import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';

export interface LastImport {
  id: number;
  finishedAt: Date;
  sources: Array<{ file: string; stamp: string | null }>;
  resources: Record<string, { created: number; changed: number; deactivated: number; active: number }>;
  seconds: number;
}

export async function lastImport(database: Database): Promise<LastImport | null> {
  const row = await database.db
    .selectFrom('dir_import')
    .select(['id', 'finished_at', 'sources', 'report'])
    .where('status', '=', 'success')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row?.finished_at) return null;
  const report = row.report as { resources?: LastImport['resources']; seconds?: number };
  return {
    id: row.id,
    finishedAt: row.finished_at,
    sources: row.sources as LastImport['sources'],
    resources: report.resources ?? {},
    seconds: report.seconds ?? 0,
  };
}

export interface Count {
  code: string;
  label: string;
  professionals: number;
}

/** Active professionals per profession (a person counts once per profession). */
export async function countsByProfession(database: Database): Promise<Count[]> {
  const result = await sql<Count>`
    select profession_code as code, min(profession) as label, count(distinct id_nat)::int as professionals
    from dir_activity where active group by profession_code order by professionals desc, code`.execute(
    database.db,
  );
  return result.rows;
}

/** Active professionals per département of their activities. */
export async function countsByDepartement(database: Database): Promise<Count[]> {
  const result = await sql<Count>`
    select coalesce(departement_code, '—') as code, coalesce(min(departement), 'Sans adresse') as label,
           count(distinct id_nat)::int as professionals
    from dir_activity where active group by departement_code order by professionals desc, code`.execute(
    database.db,
  );
  return result.rows;
}

export interface Found {
  idNat: string;
  idType: string;
  ppId: string;
  nom: string | null;
  prenom: string | null;
  professions: string | null;
  communes: string | null;
}

/**
 * The console's simple search: an RPPS (11 digits), an idNat_PS, or the start of a name, accent- and
 * case-insensitive. Active professionals only.
 */
export async function searchProfessionals(database: Database, query: string, limit = 50): Promise<Found[]> {
  const q = query.trim();
  const byId = /^\d{11}$/.test(q) ? `8${q}` : /^[08]\d{9,11}$/.test(q) ? q : null;
  const filter = byId
    ? sql`p.id_nat = ${byId}`
    : sql`unaccent(upper(p.nom_exercice)) like unaccent(upper(${q.replace(/[\\%_]/g, '\\$&')})) || '%'`;
  const result = await sql<Found>`
    select p.id_nat as "idNat", p.id_type as "idType", p.pp_id as "ppId", p.nom_exercice as nom, p.prenom_exercice as prenom,
      (select string_agg(distinct a.profession, ', ') from dir_activity a where a.id_nat = p.id_nat and a.active) as professions,
      (select string_agg(distinct a.commune, ', ') from dir_activity a where a.id_nat = p.id_nat and a.active) as communes
    from dir_professional p
    where p.active and ${filter}
    order by p.nom_exercice, p.prenom_exercice, p.id_nat
    limit ${limit}`.execute(database.db);
  return result.rows;
}
