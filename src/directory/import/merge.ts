import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { type Resource, type ResourceName, resources } from './resources.ts';

type Executor = Kysely<Schema> | Transaction<Schema>;

export interface MergeCounts {
  created: number;
  changed: number;
  deactivated: number;
}

const stg = (r: Resource) => sql.raw(`${r.table}_stg`);
const table = (r: Resource) => sql.raw(r.table);
const key = (r: Resource) => sql.raw(r.key);
const list = (columns: readonly string[], prefix = '') =>
  sql.raw(columns.map((c) => `${prefix}${c}`).join(', '));
/**
 * Content hash computed by PostgreSQL itself, identical on both drivers: the md5 of the row's text form, already
 * in the staging table when it computes it as rows are staged.
 */
const hash = (r: Resource) => sql.raw(r.stagedHash ? 'row_hash' : `md5(row(${r.columns.join(', ')})::text)`);
/** Columns copied from staging: the data, and the source line's fingerprint (not part of the content hash). */
const carried = (r: Resource) => (r.fingerprinted ? [...r.columns, 'line_hash'] : r.columns);

/**
 * Which rows a merge may deactivate when the staging does not hold them: every row for a full generation, or
 * only those a delta speaks about (`t` is the mirror's row).
 */
export type Scope = RawBuilder<unknown> | null;

/** Active rows of the mirror that the staged generation no longer contains. */
export async function countDeactivations(
  db: Executor,
  r: Resource,
  scope: Scope = null,
): Promise<{ active: number; missing: number }> {
  const active = await sql<{
    n: number;
  }>`select count(*)::int as n from ${table(r)} t where t.active`.execute(db);
  // In a WHERE clause (not a FILTER), PostgreSQL turns the scope's IN and the NOT EXISTS into joins; in a FILTER
  // they stay subplans, run once per row when their result does not fit in work_mem.
  const missing = await sql<{ n: number }>`
    select count(*)::int as n from ${table(r)} t where t.active and ${scope ?? sql`true`}
      and not exists (select 1 from ${stg(r)} s where s.${key(r)} = t.${key(r)})`.execute(db);
  return { active: active.rows[0]?.n ?? 0, missing: missing.rows[0]?.n ?? 0 };
}

/**
 * Merges the staged generation into the mirror: new keys are created, rows whose content hash differs (or that
 * come back) are changed, active rows absent from the generation are deactivated. Unchanged rows keep their
 * change date, so re-importing the same files changes nothing.
 */
export async function mergeResource(
  db: Executor,
  r: Resource,
  importId: number,
  now: Date,
  scope: Scope = null,
): Promise<MergeCounts> {
  const empty = await sql<{ empty: boolean }>`select not exists (select 1 from ${table(r)}) as empty`.execute(
    db,
  );
  if (empty.rows[0]?.empty) {
    const counts = await firstLoad(db, r, importId, now);
    await forgetBodies(db, r, null);
    return counts;
  }
  const columns = carried(r);
  const updates = sql.raw(columns.map((c) => `${c} = excluded.${c}`).join(', '));
  // Unchanged rows are filtered out by a join before the upsert: ON CONFLICT would otherwise lock (and so write)
  // every existing row, which is most of the cost of a day of changes.
  const upserted = await sql<{ created: number; changed: number }>`
    with incoming as (
      select ${key(r)}, ${list(columns)}, ${hash(r)} as row_hash from ${stg(r)}
    ), up as (
      insert into ${table(r)} (${key(r)}, ${list(columns)}, row_hash, active, created_import, changed_import, changed_at)
      select ${list([r.key, ...columns], 'i.')}, i.row_hash, true, ${importId}, ${importId}, ${now}
      from incoming i left join ${table(r)} t on t.${key(r)} = i.${key(r)}
      where t.${key(r)} is null or not t.active or t.row_hash <> i.row_hash
      on conflict (${key(r)}) do update set ${updates}, row_hash = excluded.row_hash, active = true,
        changed_import = excluded.changed_import, changed_at = excluded.changed_at, deactivated_at = null
      returning (xmax = 0) as inserted
    )
    select count(*) filter (where inserted)::int as created, count(*) filter (where not inserted)::int as changed from up`.execute(
    db,
  );
  // A line may change where no mirrored column sees it: the row keeps its content and change date, and takes the
  // line's fingerprint so that the next import recognises the line.
  if (r.fingerprinted)
    await sql`update ${table(r)} t set line_hash = s.line_hash from ${stg(r)} s
      where s.${key(r)} = t.${key(r)} and s.line_hash is not null and t.line_hash is distinct from s.line_hash`.execute(
      db,
    );
  const deactivated = await sql`
    update ${table(r)} t set active = false, deactivated_at = ${now}, changed_import = ${importId}, changed_at = ${now}
    where t.active and ${scope ?? sql`true`}
      and not exists (select 1 from ${stg(r)} s where s.${key(r)} = t.${key(r)})`.execute(db);
  await forgetBodies(db, r, now);
  return {
    created: upserted.rows[0]?.created ?? 0,
    changed: upserted.rows[0]?.changed ?? 0,
    deactivated: Number(deactivated.numAffectedRows ?? 0),
  };
}

/**
 * Deletes the stored Practitioner bodies (migration 0024) that the merge made stale: those of the practitioners
 * whose rows of this table it changed at `now` (every row it creates, changes or deactivates takes that date), or
 * of every practitioner the table holds after a first load.
 */
async function forgetBodies(db: Executor, r: Resource, now: Date | null): Promise<void> {
  if (!r.practitionerPart) return;
  const changed = now ? sql`t.changed_at = ${now}` : sql`true`;
  await sql`delete from dir_practitioner_body b where exists (select 1 from dir_practitioner_body)
    and b.id_nat in (select t.id_nat from ${table(r)} t where ${changed})`.execute(db);
}

/**
 * Loads a generation into an empty mirror table: its indexes, primary key included, are dropped, the rows
 * inserted, and the indexes built again — sorting the rows once per index instead of inserting them one by one in
 * key order, which is most of the cost of a national first load (2.3 million activities: 15.7 s inserted under
 * their primary key, 5.0 + 3.0 s without it then with it rebuilt). Readers of the table wait for the transaction
 * (the table had nothing to serve).
 */
async function firstLoad(db: Executor, r: Resource, importId: number, now: Date): Promise<MergeCounts> {
  const rebuild = await dropKeysAndIndexes(db, r.table);
  const inserted = await sql`
    insert into ${table(r)} (${key(r)}, ${list(carried(r))}, row_hash, active, created_import, changed_import, changed_at)
    select ${key(r)}, ${list(carried(r))}, ${hash(r)}, true, ${importId}, ${importId}, ${now} from ${stg(r)}`.execute(
    db,
  );
  await rebuild();
  return { created: Number(inserted.numAffectedRows ?? 0), changed: 0, deactivated: 0 };
}

/**
 * Drops a table's indexes, primary and unique keys included, before a bulk load into it; returns what builds them
 * again, as they were.
 */
export async function dropKeysAndIndexes(db: Executor, tableName: string): Promise<() => Promise<void>> {
  const constraints = await sql<{ name: string; definition: string }>`
    select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
    where conrelid = to_regclass(${tableName}) and contype in ('p', 'u')`.execute(db);
  const indexes = await sql<{ name: string; definition: string }>`
    select i.indexname as name, i.indexdef as definition from pg_indexes i
    where i.schemaname = current_schema() and i.tablename = ${tableName}
      and not exists (select 1 from pg_constraint c
        where c.conindid = to_regclass(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname)))`.execute(
    db,
  );
  for (const c of constraints.rows)
    await sql`alter table ${sql.id(tableName)} drop constraint ${sql.id(c.name)}`.execute(db);
  for (const i of indexes.rows) await sql`drop index ${sql.id(i.name)}`.execute(db);
  return async () => {
    for (const c of constraints.rows)
      await sql`alter table ${sql.id(tableName)} add constraint ${sql.id(c.name)} ${sql.raw(c.definition)}`.execute(
        db,
      );
    for (const i of indexes.rows) await sql.raw(i.definition).execute(db);
  };
}

/**
 * Fresh statistics after a bulk change: without them the planner guesses, and searches go astray. After a few
 * changes the old ones still hold, and a national table costs a second to sample: like autovacuum, analyze once a
 * tenth of the rows changed. Tables can be analyzed concurrently, each on its own connection.
 */
export async function refreshStatistics(
  db: Executor,
  r: Resource,
  counts: (MergeCounts & { active: number }) | undefined,
): Promise<void> {
  if (counts && counts.created + counts.changed + counts.deactivated >= 0.1 * counts.active)
    await sql.raw(`${r.indexOnlyReads ? 'vacuum (analyze)' : 'analyze'} ${r.table}`).execute(db);
}

/** Removes repeated keys from a staging table, keeping the first line; returns the lines removed. */
export async function dropDuplicates(
  db: Executor,
  r: Resource,
): Promise<Array<{ key: string; line: number; first: number }>> {
  const duplicates = await sql<{ key: string; line: number; first: number }>`
    select a.${key(r)} as key, a.line, b.first from ${stg(r)} a
    join (select ${key(r)} as k, min(line) as first from ${stg(r)} group by ${key(r)} having count(*) > 1) b on b.k = a.${key(r)}
    where a.line > b.first order by a.line`.execute(db);
  if (duplicates.rows.length > 0)
    await sql`delete from ${stg(r)} a using ${stg(r)} b where a.${key(r)} = b.${key(r)} and a.line > b.line`.execute(
      db,
    );
  return duplicates.rows;
}

/**
 * Indexes a staging table on its key (index `<table>_key`), uniquely when its keys are: building the index is the
 * cheapest way to learn that there is no duplicate to look for. Returns whether the keys are unique, then analyzes
 * the table. Outside a transaction only (a failed index build would abort it).
 */
export async function indexKey(db: Executor, table: string, key: string): Promise<boolean> {
  let unique = true;
  try {
    await sql.raw(`create unique index if not exists ${table}_key on ${table} (${key})`).execute(db);
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    unique = false;
    await sql.raw(`create index if not exists ${table}_key on ${table} (${key})`).execute(db);
  }
  // A staging table lives for one import: a tenth of the default sample gives the planner its size and keys.
  await sql
    .raw(`set default_statistics_target = 10; analyze ${table}; reset default_statistics_target`)
    .execute(db);
  return unique;
}

export const indexStaging = (db: Executor, r: Resource): Promise<boolean> =>
  indexKey(db, `${r.table}_stg`, r.key);

/** Empties a staging table and drops its index so that COPY runs at full speed. */
export async function resetStaging(db: Executor, r: Resource): Promise<void> {
  await sql.raw(`drop index if exists ${r.table}_stg_key; truncate ${r.table}_stg`).execute(db);
}

export interface GuardLine {
  resource: ResourceName;
  active: number;
  missing: number;
  share: number;
}

/** The deletion guard's figures for one resource: active rows, and those the merge would deactivate. */
export async function guardLine(db: Executor, r: Resource, scope: Scope = null): Promise<GuardLine> {
  const { active, missing } = await countDeactivations(db, r, scope);
  const share = active === 0 ? 0 : missing / active;
  return { resource: r.name, active, missing, share: Math.round(share * 1000) / 1000 };
}

/** Why the guard refuses a generation, or null when it lets it through. */
export function guardRefusal(lines: GuardLine[], maxShare: number): string | null {
  const excessive = lines.filter((g) => g.share > maxShare);
  if (excessive.length === 0) return null;
  const list = excessive
    .map(
      (g) => `${g.missing} ${resources[g.resource].label} sur ${g.active} (${(g.share * 100).toFixed(1)} %)`,
    )
    .join(', ');
  return `Garde-fou : ${list} seraient désactivés, au-delà de ${(maxShare * 100).toFixed(0)} %. Relancez avec --accept-mass-change si c’est voulu.`;
}
