// Practitioner resources stored as the JSON the API sends (migration 0024): read from one table, spliced into
// bundles as they are; those not stored yet are worked out from their five tables, and stored after each merge.
import { sql } from 'kysely';
import type { Database } from '../../db/connect.ts';
import { currentSnapshot } from '../snapshot.ts';
import { type Fetched, type Keys, list, practitionerRows, StoredResource } from './rows.ts';

export type PractitionerFetched = Fetched & { idType: string | null; ppId: string | null };

/** Practitioners whose idNat_PS is in `ids`, in idNat_PS order: their stored bodies, or worked out if none. */
export async function practitionerResources(database: Database, ids: Keys): Promise<PractitionerFetched[]> {
  const result = await sql<{
    id_nat: string;
    id_type: string | null;
    pp_id: string | null;
    body: string | null;
  }>`
    select p.id_nat, p.id_type, p.pp_id, b.body from dir_professional p
    left join dir_practitioner_body b on b.id_nat = p.id_nat
    where p.id_nat = any(${ids}) order by p.id_nat`.execute(database.db);
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
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(database: Database, onError: (error: unknown) => void) {
    this.#database = database;
    this.#onError = onError;
  }

  notice(generation: number): void {
    if (this.#stopped || this.#running || generation === this.#generation) return;
    this.#running = storePractitionerBodies(this.#database, () => this.#stopped)
      .then(() => {})
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
