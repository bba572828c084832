// Practitioner resources stored as the JSON the API sends (migration 0024), after each merge: read by
// `practitionerResources` (rows.ts), spliced into bundles as they are (`toJsonText`).
import { sql } from 'kysely';
import type { Database } from '../../db/connect.ts';
import { currentSnapshot } from '../snapshot.ts';
import { list, practitionerRows } from './rows.ts';

/** Practitioners rendered and stored per statement: some 4 MB of JSON. */
const batchSize = 2000;

/**
 * Stores the body of every practitioner that has none, a batch at a time, each under the import's advisory lock:
 * a merge cannot change a practitioner between the read of its rows and the write of its body, and forgets the
 * bodies it makes stale (merge.ts). Returns how many were stored; `stopped` ends the run between two batches.
 */
export async function storePractitionerBodies(
  database: Database,
  stopped: () => boolean = () => false,
): Promise<number> {
  const generation = await currentSnapshot(database);
  const done = await sql<{ generation: number }>`select generation from dir_practitioner_body_state`.execute(
    database.db,
  );
  if (done.rows[0]?.generation === generation) return 0;
  let after: string | null = '';
  let stored = 0;
  while (after !== null && !stopped()) {
    const from: string = after;
    after = await database.withLock('directory-import', async () => {
      // The next practitioners in key order, those without a body among them: as one NOT EXISTS, PostgreSQL came to
      // scan the bodies stored so far for each batch (minutes on a national directory).
      const next = await sql<{ id_nat: string; stored: boolean }>`
        select p.id_nat, exists (select 1 from dir_practitioner_body b where b.id_nat = p.id_nat) as stored
        from (select id_nat from dir_professional where id_nat > ${from} order by id_nat limit ${batchSize}) p
        order by p.id_nat`.execute(database.db);
      const missing = next.rows.filter((r) => !r.stored).map((r) => r.id_nat);
      if (missing.length > 0) {
        const rows = await practitionerRows(database, list(missing));
        await database.bulk.copy(
          'dir_practitioner_body',
          ['id_nat', 'body'],
          rows.map((r) => [r.key, JSON.stringify(r.resource)]),
        );
        stored += rows.length;
      }
      return next.rows.length < batchSize ? null : (next.rows[next.rows.length - 1]?.id_nat ?? null);
    });
  }
  // Every practitioner of that generation has its body, unless a later merge came between two batches: that one is
  // a newer generation, whose run walks them again.
  if (after === null)
    await database.db.transaction().execute(async (trx) => {
      await sql`delete from dir_practitioner_body_state`.execute(trx);
      await sql`insert into dir_practitioner_body_state (generation) values (${generation})`.execute(trx);
    });
  // PGlite has no autovacuum: without this its planner would keep the size the table had before the run.
  if (stored > 0) await sql`analyze dir_practitioner_body`.execute(database.db);
  return stored;
}

/**
 * Stores the bodies of a database's practitioners once per generation, in the background: `notice` is called with
 * the generation each request reads, and starts a run when it is one not stored yet.
 */
export class BodyStore {
  readonly #database: Database;
  readonly #onError: (error: unknown) => void;
  #generation = -1;
  #running: Promise<unknown> | null = null;
  #stopped = false;

  constructor(database: Database, onError: (error: unknown) => void) {
    this.#database = database;
    this.#onError = onError;
  }

  notice(generation: number): void {
    if (this.#stopped || this.#running || generation === this.#generation) return;
    this.#running = storePractitionerBodies(this.#database, () => this.#stopped)
      // A failed run is not retried before the next generation: reads work out what is not stored.
      .catch((error) => this.#onError(error))
      .finally(() => {
        this.#generation = generation;
        this.#running = null;
      });
  }

  /** Ends the run in progress after its batch. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}
