import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../../test/databases.ts';
import { type GeneratedDay, generateDirectory } from '../generate/generate.ts';
import { importDirectory } from '../import/import.ts';
import { storePractitionerBodies } from './bodies.ts';
import { keyArray, practitionerResources, practitionerRows, resourceObject, StoredResource } from './rows.ts';

describeEachDriver('stored Practitioner bodies', (driver) => {
  let t: TestDatabase;
  let days: GeneratedDay[];
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    days = await generateDirectory({
      profile: { persons: 400, structures: 20, departure: 0.05, arrival: 0.05, move: 0.1, closure: 0 },
      seed: 11,
      days: 2,
      out: mkdtempSync(join(tmpdir(), 'confiance-bodies-')),
    });
  });
  afterAll(() => t.drop());

  const everyone = () => keyArray(sql`select id_nat from dir_professional`);
  /** Every practitioner as served, and as worked out from the five tables. */
  const served = async () =>
    (await practitionerResources(t.database, everyone())).map((r) => resourceObject(r.resource));
  const workedOut = async () => (await practitionerRows(t.database, everyone())).map((r) => r.resource);
  const storedCount = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from dir_practitioner_body`.execute(t.database.db))
      .rows[0]?.n;

  it('serve what the five tables give, before and after a merge changes some', async () => {
    expect((await importDirectory(t.database, [(days[0] as GeneratedDay).dir])).status).toBe('success');
    const professionals = (await workedOut()).length;
    expect(await storedCount()).toBe(0);
    expect(await storePractitionerBodies(t.database)).toBe(professionals);
    expect(await storedCount()).toBe(professionals);
    const planned = await sql<{ n: number }>`
      select reltuples::int as n from pg_class where relname = 'dir_practitioner_body'`.execute(
      t.database.db,
    );
    expect(planned.rows[0]?.n).toBe(professionals);
    const fetched = await practitionerResources(t.database, everyone());
    expect(fetched.every((r) => r.resource instanceof StoredResource)).toBe(true);
    expect(await served()).toEqual(await workedOut());
    // Nothing left to store: a second run stores none.
    expect(await storePractitionerBodies(t.database)).toBe(0);

    // A day of arrivals, departures and moves: the bodies it made stale are gone, the others kept.
    const next = await importDirectory(t.database, [(days[1] as GeneratedDay).dir], {
      acceptMassChange: true,
    });
    expect(next.status, next.message).toBe('success');
    const left = (await storedCount()) ?? 0;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(professionals);
    expect(await served()).toEqual(await workedOut());
    await storePractitionerBodies(t.database);
    expect(await storedCount()).toBe((await workedOut()).length);
    expect(await served()).toEqual(await workedOut());
  });
});
