import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';
import { currentSnapshot } from './snapshot.ts';

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
async function countsByProfession(database: Database): Promise<Count[]> {
  const result = await sql<Count>`
    select profession_code as code, min(profession) as label, count(distinct id_nat)::int as professionals
    from dir_activity where active group by profession_code order by professionals desc, code`.execute(
    database.db,
  );
  return result.rows;
}

/** Active professionals per département of their activities. */
async function countsByDepartement(database: Database): Promise<Count[]> {
  const result = await sql<Count>`
    select coalesce(departement_code, '—') as code, coalesce(min(departement), 'Sans adresse') as label,
           count(distinct id_nat)::int as professionals
    from dir_activity where active group by departement_code order by professionals desc, code`.execute(
    database.db,
  );
  return result.rows;
}

export interface DirectoryCounts {
  byProfession: Count[];
  byDepartement: Count[];
}

const kept = new WeakMap<Database, { snapshot: number; counts: Promise<DirectoryCounts> }>();

/**
 * The console's counts for the mirror's current generation, worked out once per generation: on a national
 * directory they group 2.3 million activities (3.8 and 3.1 s), and only an import or a sync changes them.
 */
export async function directoryCounts(database: Database): Promise<DirectoryCounts> {
  const snapshot = await currentSnapshot(database);
  const entry = kept.get(database);
  if (entry?.snapshot === snapshot) return entry.counts;
  const counts = Promise.all([countsByProfession(database), countsByDepartement(database)]).then(
    ([byProfession, byDepartement]) => ({ byProfession, byDepartement }),
  );
  const next = { snapshot, counts };
  kept.set(database, next);
  // A failed count is not kept: the next view tries again.
  counts.catch(() => {
    if (kept.get(database) === next) kept.delete(database);
  });
  return counts;
}
