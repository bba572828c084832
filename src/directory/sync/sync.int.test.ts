import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../../test/databases.ts';
import { buildAnnuaireEmulator } from '../../sandbox/annuaire.ts';
import { type GeneratedDay, generateDirectory } from '../generate/generate.ts';
import { importDirectory } from '../import/import.ts';
import { type SyncOptions, syncDirectory } from './sync.ts';

const apiKey = 'cle-de-test';

async function counts(t: TestDatabase) {
  const r = await sql<Record<string, number>>`
    select (select count(*) from dir_professional where active)::int as professional,
           (select count(*) from dir_activity where active)::int as activity,
           (select count(*) from dir_savoir_faire where active)::int as savoir_faire,
           (select count(*) from dir_diploma where active)::int as diploma,
           (select count(*) from dir_structure where active)::int as structure,
           (select count(*) from dir_cabinet where active)::int as cabinet,
           (select count(*) from dir_mailbox where active)::int as mailbox,
           (select count(*) from dir_equipment
             where active and coalesce(autorisation_supprimee, 'N') <> 'O')::int as equipment`.execute(
    t.database.db,
  );
  return r.rows[0];
}

/** Social equipment in service, with what the API carries of it. */
async function equipment(t: TestDatabase) {
  const r = await sql`
    select key, finess, discipline_code, discipline, activite_code, activite, clientele_code, clientele,
      capacite_installee, capacite_autorisee, date_autorisation, age_min_autorise, age_max_autorise,
      age_min_installe, age_max_installe
    from dir_equipment where active and coalesce(autorisation_supprimee, 'N') <> 'O' order by key`.execute(
    t.database.db,
  );
  return r.rows;
}

/**
 * Cabinets in service with what the API carries of them (the address lines as one), and the places of the activities
 * there (a synced activity is keyed by its role's id, not by the file's key).
 */
async function cabinets(t: TestDatabase) {
  const served = await sql`
    select structure_id, siret, raison_sociale, enseigne, code_postal, commune, telephone, telecopie, email,
      departement_code, nullif(concat_ws(', ', complement_destinataire, complement_geo,
        nullif(concat_ws(' ', numero_voie, indice_repetition, type_voie, libelle_voie), ''), mention_distribution), '') as lines
    from dir_cabinet where active order by structure_id`.execute(t.database.db);
  const places = await sql`
    select structure_id, code_postal, commune, departement_code from dir_activity
    where active and finess_site is null order by 1, 2, 3, 4`.execute(t.database.db);
  return { served: served.rows, places: places.rows };
}

describeEachDriver('sync from the national API (against its emulator)', (driver) => {
  let source: TestDatabase;
  let target: TestDatabase;
  let emulator: FastifyInstance;
  let baseUrl: string;
  let days: GeneratedDay[];
  const options = (extra: Partial<SyncOptions> = {}): SyncOptions => ({
    baseUrl,
    apiKey,
    requestsPerSecond: 1000,
    pageSize: 100,
    backoffMs: 5,
    ...extra,
  });

  beforeAll(async () => {
    source = await createTestDatabase('pglite');
    target = await createTestDatabase(driver);
    days = await generateDirectory({
      profile: { persons: 300, structures: 25, departure: 0.02, arrival: 0.02, move: 0.02, closure: 0.03 },
      seed: 11,
      days: 2,
      out: mkdtempSync(join(tmpdir(), 'confiance-sync-')),
    });
    expect((await importDirectory(source.database, [days[0]?.dir ?? ''])).status).toBe('success');
    emulator = await buildAnnuaireEmulator({
      database: source.database,
      apiKeys: [apiKey],
      requestsPerSecond: null,
    });
    const address = await emulator.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `${address}/fhir/v2`;
  }, 120_000);
  afterAll(async () => {
    await emulator.close();
    await source.drop();
    await target.drop();
  });

  it('loads everything on a first sync, then changes nothing on the next', async () => {
    const report = await syncDirectory(target.database, options());
    expect(report.message).toMatch(/Synchronisation complète réussie/);
    expect(report).toMatchObject({ status: 'success', mode: 'full', unresolved: 0 });
    const expected = await counts(source);
    const got = await counts(target);
    expect(got).toEqual({ ...expected, mailbox: got?.mailbox });
    expect(got?.mailbox).toBe(expected?.mailbox);
    expect(got?.equipment).toBeGreaterThan(0);
    expect(await equipment(target)).toEqual(await equipment(source));
    expect(report.orphanServices).toBe(0);
    expect(got?.cabinet).toBeGreaterThan(0);
    expect(await cabinets(target)).toEqual(await cabinets(source));

    const again = await syncDirectory(target.database, options());
    expect(again).toMatchObject({ status: 'success', mode: 'delta' });
    // The delta starts just after the newest change the full load received, by the API's clock, and so reads
    // nothing when nothing changed.
    expect(report.highWater).not.toBeNull();
    expect(again.since).toBe(new Date(Date.parse(report.highWater ?? '') + 1).toISOString());
    expect(again.entries).toBe(0);
    for (const c of Object.values(again.resources))
      expect([c.created, c.changed, c.deactivated]).toEqual([0, 0, 0]);
  });

  it('applies a delta: arrivals created, departures deactivated, as in the source', async () => {
    const before = await counts(target);
    expect((await importDirectory(source.database, [days[1]?.dir ?? ''])).status).toBe('success');
    const report = await syncDirectory(target.database, options());
    expect(report).toMatchObject({ status: 'success', mode: 'delta' });
    expect(report.resources.professional?.deactivated).toBeGreaterThan(0);
    expect(report.resources.professional?.created).toBeGreaterThan(0);
    const after = await counts(target);
    const expected = await counts(source);
    expect(after?.professional).toBe(expected?.professional);
    expect(after?.activity).toBe(expected?.activity);
    expect(after?.structure).toBe(expected?.structure);
    expect(await equipment(target)).toEqual(await equipment(source));
    expect(report.resources.cabinet?.deactivated).toBeGreaterThan(0);
    expect(await cabinets(target)).toEqual(await cabinets(source));
    expect(after).not.toEqual(before);
  });

  it('resolves roles as their pages arrive or after the last page, to the same mirror', async () => {
    // Slowing one resource type down decides which stream finishes last: roles after practitioners and
    // organizations are resolved page by page, roles before them all at the end.
    const slowing =
      (path: string): typeof fetch =>
      async (input, init) => {
        if (String(input).includes(path)) await new Promise((resolve) => setTimeout(resolve, 40));
        return fetch(input, init);
      };
    const mirror = async (t: TestDatabase) =>
      (
        await sql<{ key: string; row_hash: string }>`
          select 'activity:' || key as key, row_hash from dir_activity where active
          union all select 'mailbox:' || key, row_hash from dir_mailbox where active order by key`.execute(
          t.database.db,
        )
      ).rows;
    const mirrors = [];
    for (const path of ['/PractitionerRole?', '/Practitioner?']) {
      const fresh = await createTestDatabase(driver);
      try {
        const report = await syncDirectory(fresh.database, options({ fetch: slowing(path) }));
        expect(report).toMatchObject({ status: 'success', mode: 'full', unresolved: 0 });
        mirrors.push(await mirror(fresh));
      } finally {
        await fresh.drop();
      }
    }
    expect(mirrors[0]?.length).toBeGreaterThan(300);
    expect(mirrors[0]).toEqual(mirrors[1]);
  });

  it('resumes a sync that died from its last page', async () => {
    await sql`delete from dir_sync_practitioner`.execute(target.database.db);
    let calls = 0;
    const dying: typeof fetch = async (input, init) => {
      calls++;
      if (calls > 3) throw new TypeError('fetch failed: connexion perdue');
      return fetch(input, init);
    };
    const broken = await syncDirectory(target.database, options({ full: true, fetch: dying, backoffMs: 1 }));
    expect(broken.status).toBe('failed');
    expect(broken.message).toContain('reprendra');
    const state = await sql<{ pages: number }>`select pages from dir_sync_state`.execute(target.database.db);
    expect(state.rows[0]?.pages).toBe(3);
    // A page staged again (the process died between staging it and its checkpoint) is kept once.
    for (const table of [
      'dir_sync_practitioner_stg',
      'dir_sync_role_stg',
      'dir_professional_stg',
      'dir_mailbox_stg',
    ])
      await sql`insert into ${sql.table(table)} select * from ${sql.table(table)}`.execute(
        target.database.db,
      );
    const resumed = await syncDirectory(target.database, options());
    expect(resumed).toMatchObject({ status: 'success', mode: 'full', resumed: true });
    expect(resumed.requests).toBeLessThan(resumed.pages);
    for (const c of Object.values(resumed.resources)) expect([c.created, c.deactivated]).toEqual([0, 0]);
  });

  it('stops on a malformed bundle and leaves the served data as it was', async () => {
    const before = await counts(target);
    const corrupting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes('/Practitioner?')) return response;
      const body = await response.json();
      body.entry[0].resource = { resourceType: 'Patient', id: 'x' };
      return new Response(JSON.stringify(body), { status: 200 });
    };
    const report = await syncDirectory(target.database, options({ full: true, fetch: corrupting }));
    expect(report.status).toBe('failed');
    expect(report.message).toContain('Patient');
    expect(await counts(target)).toEqual(before);
    expect((await sql`select * from dir_sync_state`.execute(target.database.db)).rows).toEqual([]);
  });

  it('loads everything again when the last sync did not load every resource (made before one was synced)', async () => {
    await sql`update dir_import set report = jsonb_set(report, '{resources}', (report->'resources') - 'equipment')
      where id = (select max(id) from dir_import where status = 'success')`.execute(target.database.db);
    const report = await syncDirectory(target.database, options());
    expect(report).toMatchObject({ status: 'success', mode: 'full' });
    expect(report.resources.equipment?.active).toBeGreaterThan(0);
    const again = await syncDirectory(target.database, options());
    expect(again.mode).toBe('delta');
  });

  it('falls back to a full load when the last sync is older than 30 days', async () => {
    const later = new Date(Date.now() + 31 * 86_400_000);
    const report = await syncDirectory(target.database, options({ now: () => later }));
    expect(report).toMatchObject({ status: 'success', mode: 'full' });
  });

  it('stays within the API’s rate limit by retrying its 429 answers', async () => {
    const strict = await buildAnnuaireEmulator({
      database: source.database,
      apiKeys: [apiKey],
      requestsPerSecond: 3,
    });
    const address = await strict.listen({ host: '127.0.0.1', port: 0 });
    try {
      const report = await syncDirectory(
        target.database,
        options({
          baseUrl: `${address}/fhir/v2`,
          requestsPerSecond: 50,
          pageSize: 40,
          backoffMs: 100,
          full: true,
        }),
      );
      expect(report.status).toBe('success');
      expect(report.throttled).toBeGreaterThan(0);
      expect(report.requests).toBe(report.pages + report.retries);
    } finally {
      await strict.close();
    }
  });

  it('refuses a wrong API key with a clear message', async () => {
    const report = await syncDirectory(target.database, options({ apiKey: 'mauvaise', full: true }));
    expect(report.status).toBe('failed');
    expect(report.message).toContain('HTTP 401');
  });
});
