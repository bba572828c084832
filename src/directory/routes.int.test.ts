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

  it('searches by profession, département, FINESS and MSSanté address, page after page', async () => {
    const activity = (
      await sql<{ profession_code: string; departement_code: string; finess_site: string | null }>`
        select profession_code, departement_code, finess_site from dir_activity
        where active and finess_site is not null order by key limit 1`.execute(s.t.database.db)
    ).rows[0]!;
    const page = await s.app.inject({
      url: `/annuaire?profession=${activity.profession_code}&departement=${activity.departement_code}`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/\d+ résultats?/);
    expect(page.body).toContain(`<option value="${activity.profession_code}" selected>`);
    const byFiness = await s.app.inject({ url: `/annuaire?finess=${activity.finess_site}` });
    expect(byFiness.body).toContain('/annuaire/professionnels/');

    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await s.app.inject({
        url: `/api/v1/directory/practitioners?profession=${activity.profession_code}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        headers: s.auth,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: Array<{ idNat: string }>; next: string | null };
      all.push(...body.items.map((i) => i.idNat));
      cursor = body.next;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    const expected = await sql<{ n: number }>`
      select count(distinct p.id_nat)::int as n from dir_professional p join dir_activity a on a.id_nat = p.id_nat
      where p.active and a.active and a.profession_code = ${activity.profession_code}`.execute(
      s.t.database.db,
    );
    expect(all.length).toBe(expected.rows[0]?.n);

    const mailbox = (
      await sql<{ adresse: string; id_nat: string }>`
        select adresse, id_nat from dir_mailbox where active and id_nat is not null order by key limit 1`.execute(
        s.t.database.db,
      )
    ).rows[0]!;
    const byMailbox = await s.app.inject({
      url: `/api/v1/directory/practitioners?mss=${encodeURIComponent(mailbox.adresse)}`,
      headers: s.auth,
    });
    expect(byMailbox.json().items.map((i: { idNat: string }) => i.idNat)).toContain(mailbox.id_nat);
  });

  it('shows a practitioner page with activities, structures and mailboxes, and the same as JSON', async () => {
    const someone = (
      await sql<{ id_nat: string; nom_exercice: string }>`
        select p.id_nat, p.nom_exercice from dir_professional p
        where p.active and exists (select 1 from dir_mailbox m where m.id_nat = p.id_nat and m.active)
        order by p.id_nat limit 1`.execute(s.t.database.db)
    ).rows[0]!;
    const page = await s.app.inject({ url: `/annuaire/professionnels/${someone.id_nat}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(someone.nom_exercice);
    expect(page.body).toContain('Situations d’exercice (');
    expect(page.body).toContain('@');
    expect(page.body).toContain(`/fhir/Practitioner/${someone.id_nat}`);
    const json = await s.app.inject({
      url: `/api/v1/directory/practitioners/${someone.id_nat}`,
      headers: s.auth,
    });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ idNat: someone.id_nat, nom: someone.nom_exercice, active: true });
    expect(json.json().activities.length).toBeGreaterThan(0);
    expect((await s.app.inject({ url: '/annuaire/professionnels/899999999999' })).statusCode).toBe(404);
  });

  it('protects the REST search with the directory:read scope', async () => {
    expect((await s.app.inject({ url: '/api/v1/directory/practitioners?q=a' })).statusCode).toBe(401);
    expect((await s.app.inject({ url: '/api/v1/directory/practitioners', headers: s.auth })).statusCode).toBe(
      400,
    );
  });

  it('lists by name then first name whatever the accents, page after page, those without a name last', async () => {
    const db = s.t.database.db;
    const profession = (
      await sql<{ code: string }>`select profession_code as code from dir_activity where active
        group by profession_code order by count(*) desc limit 1`.execute(db)
    ).rows[0]!.code;
    const [nameless, accented] = (
      await sql<{ id_nat: string; nom_exercice: string; prenom_exercice: string }>`
        select p.id_nat, p.nom_exercice, p.prenom_exercice from dir_professional p where p.active
          and exists (select 1 from dir_activity a where a.id_nat = p.id_nat and a.active and a.profession_code = ${profession})
        order by p.id_nat limit 2`.execute(db)
    ).rows as [
      { id_nat: string; nom_exercice: string; prenom_exercice: string },
      { id_nat: string; nom_exercice: string; prenom_exercice: string },
    ];
    await sql`update dir_professional set nom_exercice = null where id_nat = ${nameless.id_nat}`.execute(db);
    await sql`update dir_professional set nom_exercice = 'Élan', prenom_exercice = 'Zoé'
      where id_nat = ${accented.id_nat}`.execute(db);
    try {
      const listed: Array<{ idNat: string; nom: string | null }> = [];
      let cursor: string | null = null;
      do {
        const res = await s.app.inject({
          url: `/api/v1/directory/practitioners?profession=${profession}&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
          headers: s.auth,
        });
        const body = res.json() as {
          items: Array<{ idNat: string; nom: string | null }>;
          next: string | null;
        };
        listed.push(...body.items);
        cursor = body.next;
      } while (cursor);
      const expected = await sql<{ id_nat: string }>`
        select p.id_nat from dir_professional p where p.active
          and exists (select 1 from dir_activity a where a.id_nat = p.id_nat and a.active and a.profession_code = ${profession})
        order by lower(unaccent(p.nom_exercice)) collate "C" nulls last, lower(unaccent(p.prenom_exercice)) collate "C", p.id_nat`.execute(
        db,
      );
      expect(listed.map((i) => i.idNat)).toEqual(expected.rows.map((r) => r.id_nat));
      expect(listed.at(-1)).toMatchObject({ idNat: nameless.id_nat, nom: null });
      const at = listed.findIndex((i) => i.idNat === accented.id_nat);
      expect(
        listed
          .slice(0, at)
          .every((i) => (i.nom ?? '').localeCompare('elan', 'fr', { sensitivity: 'base' }) <= 0),
      ).toBe(true);
    } finally {
      await sql`update dir_professional set nom_exercice = ${nameless.nom_exercice} where id_nat = ${nameless.id_nat}`.execute(
        db,
      );
      await sql`update dir_professional set nom_exercice = ${accented.nom_exercice}, prenom_exercice = ${accented.prenom_exercice}
        where id_nat = ${accented.id_nat}`.execute(db);
    }
  });

  it('refuses an oversized or unknown query parameter', async () => {
    expect((await s.app.inject({ url: `/annuaire?q=${'a'.repeat(101)}` })).statusCode).toBe(400);
    expect((await s.app.inject({ url: '/annuaire?x=1' })).statusCode).toBe(400);
  });
});
