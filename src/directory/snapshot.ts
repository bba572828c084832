import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';

/**
 * The newest successful generation of the mirror, which searches read as their snapshot. Read at most once a
 * second per database: imports and syncs of this process say when it changes, other instances are seen within
 * that second.
 */
const cache = new WeakMap<Database, { at: number; id: number }>();
const ttlMs = 1000;

export async function currentSnapshot(database: Database): Promise<number> {
  const cached = cache.get(database);
  if (cached && performance.now() - cached.at < ttlMs) return cached.id;
  const r = await sql<{ id: number | null }>`
    select max(id) as id from dir_import where status = 'success'`.execute(database.db);
  const id = r.rows[0]?.id ?? 0;
  cache.set(database, { at: performance.now(), id });
  return id;
}

/** Called when a generation was merged in this process, so its next search sees it at once. */
export function snapshotChanged(database: Database): void {
  cache.delete(database);
}
