import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import { type GeneratedDay, generateDirectory } from './generate/generate.ts';
import { importDirectory } from './import/import.ts';
import { directoryCounts } from './queries.ts';

describeEachDriver('console counts of the directory', (driver) => {
  let t: TestDatabase;
  let days: GeneratedDay[];
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    days = await generateDirectory({
      profile: { persons: 300, structures: 20, departure: 0.05, arrival: 0.05, move: 0.05, closure: 0 },
      seed: 5,
      days: 2,
      out: mkdtempSync(join(tmpdir(), 'confiance-counts-')),
    });
  });
  afterAll(() => t.drop());

  /** Active professionals per profession, counted directly. */
  const byProfession = async () =>
    (
      await sql<{ code: string; n: number }>`select profession_code as code, count(distinct id_nat)::int as n
        from dir_activity where active group by profession_code order by code`.execute(t.database.db)
    ).rows.map((r) => [r.code, r.n]);
  const counted = async () =>
    (await directoryCounts(t.database)).byProfession.map((c) => [c.code, c.professionals]).sort();

  it('are worked out once per generation of the mirror', async () => {
    expect((await importDirectory(t.database, [(days[0] as GeneratedDay).dir])).status).toBe('success');
    const first = await counted();
    expect(first).toEqual(await byProfession());
    expect((await directoryCounts(t.database)).byDepartement.length).toBeGreaterThan(0);
    // Within a generation they are kept: a change no import made does not show.
    await sql`update dir_activity set active = false
      where profession_code = (select min(profession_code) from dir_activity)`.execute(t.database.db);
    expect(await byProfession()).not.toEqual(first);
    expect(await counted()).toEqual(first);
    // The next generation is counted again.
    const next = await importDirectory(t.database, [(days[1] as GeneratedDay).dir], {
      acceptMassChange: true,
    });
    expect(next.status, next.message).toBe('success');
    expect(await counted()).toEqual(await byProfession());
    expect(await counted()).not.toEqual(first);
  });
});
