import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';

/**
 * The newest successful generation of the mirror, which searches read as their snapshot. Read at most once a
 * second per database: imports and syncs of this process say when it changes, other instances are seen within
 * that second. The requests that find it expired share one read, instead of sending one each (fifty at once under
 * load, every second).
 */
const cache = new WeakMap<Database, { at: number; id: Promise<number> }>();
const ttlMs = 1000;

export function currentSnapshot(database: Database): Promise<number> {
  const cached = cache.get(database);
  if (cached && performance.now() - cached.at < ttlMs) return cached.id;
  const entry = { at: performance.now(), id: readSnapshot(database) };
  cache.set(database, entry);
  // A failed read is not kept: the next request tries again.
  entry.id.catch(() => {
    if (cache.get(database) === entry) cache.delete(database);
  });
  return entry.id;
}

async function readSnapshot(database: Database): Promise<number> {
  const r = await sql<{ id: number | null }>`
    select max(id) as id from dir_import where status = 'success'`.execute(database.db);
  return r.rows[0]?.id ?? 0;
}

/** Called when a generation was merged in this process, so its next search sees it at once. */
export function snapshotChanged(database: Database): void {
  cache.delete(database);
}
