import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { describeEachDriver } from '../../test/databases.ts';
import { generateDirectory } from './generate/generate.ts';
import { importDirectory } from './import/import.ts';

describeEachDriver('console page Annuaire', (driver) => {
  let s: TestApp;
  beforeAll(async () => {
    s = await createTestApp(driver);
  });
  afterAll(() => s.close());

  it('says when nothing was imported yet', async () => {
    const res = await s.app.inject({ url: '/annuaire' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Aucun import n’a encore réussi');
  });

  it('shows the last import, counts by profession and département, and finds people by name or RPPS', async () => {
    const out = mkdtempSync(join(tmpdir(), 'confiance-page-'));
    const [day] = await generateDirectory({
      profile: { persons: 200, structures: 20, departure: 0, arrival: 0, move: 0, closure: 0 },
      seed: 3,
      days: 1,
      out,
    });
    expect((await importDirectory(s.t.database, [day?.dir ?? ''])).status).toBe('success');
    const page = await s.app.inject({ url: '/annuaire' });
    expect(page.body).toMatch(/Situations d’exercice<\/th><td class="num">\d+/);
    expect(page.body).toContain('Infirmier');
    expect(page.body).toContain('Professionnels actifs par département');

    const someone = (
      await sql<{ id_nat: string; pp_id: string; nom_exercice: string }>`
        select id_nat, pp_id, nom_exercice from dir_professional where id_type = '8' order by id_nat limit 1`.execute(
        s.t.database.db,
      )
    ).rows[0];
    const byRpps = await s.app.inject({ url: `/annuaire?q=${someone?.pp_id}` });
    expect(byRpps.body).toContain('1 résultat');
    expect(byRpps.body).toContain(someone?.nom_exercice);
    const prefix = (someone?.nom_exercice ?? '').slice(0, 3).toLowerCase();
    const byName = await s.app.inject({ url: `/annuaire?q=${encodeURIComponent(prefix)}` });
    expect(byName.body).toMatch(/\d+ résultats?/);
    const none = await s.app.inject({ url: '/annuaire?q=zzzz' });
    expect(none.body).toContain('Aucun professionnel actif ne correspond à « zzzz »');
    const injection = await s.app.inject({ url: `/annuaire?q=${encodeURIComponent("%' or 1=1 --")}` });
    expect(injection.statusCode).toBe(200);
    expect(injection.body).toContain('Aucun professionnel actif');
  });

  it('refuses an oversized or unknown query parameter', async () => {
    expect((await s.app.inject({ url: `/annuaire?q=${'a'.repeat(101)}` })).statusCode).toBe(400);
    expect((await s.app.inject({ url: '/annuaire?x=1' })).statusCode).toBe(400);
  });
});
