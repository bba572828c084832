import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../../test/databases.ts';
import { listEvents } from '../../audit/query.ts';
import { migrate } from '../../db/migrate.ts';
import { type GeneratedDay, generateDirectory } from '../generate/generate.ts';
import type { Profile } from '../generate/population.ts';
import { collectSources } from '../sources.ts';
import { importDirectory } from './import.ts';
import { resources } from './resources.ts';

const tiny: Profile = {
  persons: 300,
  structures: 30,
  departure: 0.01,
  arrival: 0.01,
  move: 0.02,
  closure: 0.02,
};

let days: GeneratedDay[];
let activityText: string;
let stamp: string;

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'confiance-import-'));
  days = await generateDirectory({ profile: tiny, seed: 11, days: 2, out });
  const [day0] = days as [GeneratedDay];
  stamp = day0.stamp;
  const source = (await collectSources([day0.dir])).find((s) => s.kind === 'personneActivite');
  activityText = await text(await (source as NonNullable<typeof source>).open());
});

/** A folder holding only a (possibly altered) Personne_activite file. */
function activityFile(transform: (lines: string[]) => string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'confiance-bad-'));
  const lines = activityText.split('\n').filter(Boolean);
  writeFileSync(
    join(dir, `PS_LibreAcces_Personne_activite_${stamp}.txt`),
    `${transform(lines).join('\n')}\n`,
  );
  return dir;
}

const count = async (t: TestDatabase, table: string, where = 'true') =>
  (
    await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.raw(table)} where ${sql.raw(where)}`.execute(t.database.db)
  ).rows[0]?.n;

describeEachDriver('directory import', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(() => t.drop());

  it('imports a generation of every file, then re-imports it without any change', async () => {
    const indexes = () =>
      sql<{ name: string; definition: string }>`
        select indexname as name, indexdef as definition from pg_indexes
        where tablename like 'dir\_%' and tablename not like '%\_stg' order by indexname`
        .execute(t.database.db)
        .then((r) => r.rows);
    const keys = () =>
      sql<{ name: string; definition: string }>`
        select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
        where conrelid::regclass::text like 'dir\_%' and contype in ('p', 'u') order by conname`
        .execute(t.database.db)
        .then((r) => r.rows);
    const indexesBefore = await indexes();
    const keysBefore = await keys();
    const first = await importDirectory(t.database, [(days[0] as GeneratedDay).dir]);
    expect(first.status, first.message).toBe('success');
    // The first load into empty tables drops their indexes and primary keys and builds them again.
    expect(await indexes()).toEqual(indexesBefore);
    expect(await keys()).toEqual(keysBefore);
    expect(keysBefore.map((k) => k.name)).toContain('dir_activity_pkey');
    // Vacuumed after the load: every page all-visible, for the index-only name searches. On PostgreSQL a snapshot
    // taken in the database while the load ran (an autovacuum analyze, on a busy CI machine) keeps the vacuum from
    // marking the pages, and autovacuum marks them later: there, that the vacuum ran is what the import controls.
    const pages = await sql<{ relpages: number; relallvisible: number }>`
      select relpages, relallvisible from pg_class where relname = 'dir_professional'`.execute(t.database.db);
    expect(pages.rows[0]?.relpages).toBeGreaterThan(0);
    if (driver === 'pglite') expect(pages.rows[0]?.relallvisible).toBe(pages.rows[0]?.relpages);
    else
      expect(
        (
          await sql<{ n: number }>`select vacuum_count::int as n from pg_stat_user_tables
            where relname = 'dir_professional'`.execute(t.database.db)
        ).rows[0]?.n,
      ).toBe(1);
    expect(first.rejectCount).toBe(0);
    // Hashes computed as rows are staged (migration 0021) are those of the mirror's columns, in their order.
    for (const r of Object.values(resources))
      expect(await count(t, r.table, `row_hash <> md5(row(${r.columns.join(', ')})::text)`), r.name).toBe(0);
    const activities = activityText.split('\n').filter(Boolean).length - 1;
    expect(first.resources.activity).toMatchObject({
      staged: activities,
      created: activities,
      changed: 0,
      deactivated: 0,
    });
    for (const name of [
      'professional',
      'savoirFaire',
      'diploma',
      'mailbox',
      'structure',
      'cabinet',
      'equipment',
    ] as const)
      expect(first.resources[name]?.created).toBeGreaterThan(0);
    // A cabinet per structure identifier that activities name without a FINESS, described as its first line does.
    expect(first.resources.cabinet?.created).toBe(
      await count(
        t,
        '(select distinct structure_id from dir_activity where finess_site is null) s',
        'structure_id is not null',
      ),
    );
    expect(
      await count(
        t,
        'dir_cabinet c',
        `not exists (select 1 from dir_activity a where a.structure_id = c.structure_id and a.finess_site is null
          and a.raison_sociale is not distinct from c.raison_sociale and a.code_postal is not distinct from c.code_postal)`,
      ),
    ).toBe(0);
    // Social equipment belongs to ESMS sites of the same generation.
    expect(
      await count(
        t,
        'dir_equipment e',
        'not exists (select 1 from dir_structure s where s.finess = e.finess)',
      ),
    ).toBe(0);
    expect(await count(t, 'dir_structure', 'lat is not null')).toBe(first.resources.structure?.created);
    expect(first.sources.find((s) => s.kind === 'finessEtalab')?.encoding).toBe('windows-1252');

    const before = await sql`select key, changed_at from dir_activity order by key`.execute(t.database.db);
    const again = await importDirectory(t.database, [(days[0] as GeneratedDay).dir]);
    expect(again.status).toBe('success');
    for (const r of Object.values(again.resources))
      expect(r).toMatchObject({ created: 0, changed: 0, deactivated: 0 });
    const after = await sql`select key, changed_at from dir_activity order by key`.execute(t.database.db);
    expect(after.rows).toEqual(before.rows);
    // The second reading recognised every line by its fingerprint: nothing was parsed or staged again.
    expect(again.sources.find((s) => s.kind === 'personneActivite')).toMatchObject({
      lines: activities + 1,
      unchanged: activities,
      staged: 0,
      compared: true,
    });
  });

  it('applies the next day: arrivals, departures and moves, with change dates', async () => {
    const next = await importDirectory(t.database, [(days[1] as GeneratedDay).dir]);
    expect(next.status, next.message).toBe('success');
    const a = next.resources.activity;
    expect(a?.created).toBeGreaterThan(0);
    expect(a?.deactivated).toBeGreaterThan(0);
    expect(
      await count(
        t,
        'dir_activity',
        `not active and deactivated_at is not null and changed_import = ${next.id}`,
      ),
    ).toBe(a?.deactivated);
    expect(await count(t, 'dir_activity', `active and changed_import < ${next.id}`)).toBeGreaterThan(0);
    // Only new and changed lines were staged, and the mirror is what a full reading of the day gives.
    const staged = next.sources.find((s) => s.kind === 'personneActivite');
    expect(staged?.staged).toBeLessThan((staged?.unchanged ?? 0) / 10);
    const fresh = await createTestDatabase(driver);
    try {
      const full = await importDirectory(fresh.database, [(days[1] as GeneratedDay).dir]);
      expect(full.sources.find((s) => s.kind === 'personneActivite')?.compared).toBe(false);
      for (const [table, key] of [
        ['dir_professional', 'id_nat'],
        ['dir_activity', 'key'],
        ['dir_savoir_faire', 'key'],
        ['dir_diploma', 'key'],
        ['dir_mailbox', 'key'],
        ['dir_cabinet', 'structure_id'],
      ] as const) {
        const rows = (db: TestDatabase) =>
          sql`select ${sql.raw(key)} as key, row_hash from ${sql.raw(table)} where active order by 1`
            .execute(db.database.db)
            .then((r) => r.rows);
        expect(await rows(t), table).toEqual(await rows(fresh));
      }
      const fingerprints = (db: TestDatabase) =>
        sql`select key, line_hash::text from dir_activity where active order by key`
          .execute(db.database.db)
          .then((r) => r.rows);
      expect(await fingerprints(t)).toEqual(await fingerprints(fresh));
    } finally {
      await fresh.drop();
    }
    // A departing liberal's cabinet goes with its last activity, an arriving one's comes with it.
    expect(next.resources.cabinet?.deactivated).toBeGreaterThan(0);
    expect(next.resources.cabinet?.created).toBeGreaterThan(0);
    // A structure only changes when it closes: the others keep their change date.
    expect(next.resources.structure?.changed).toBe(0);
    // A closed site's equipment goes with it.
    expect(
      await count(
        t,
        'dir_equipment e',
        'e.active and exists (select 1 from dir_structure s where s.finess = e.finess and not s.active)',
      ),
    ).toBe(0);
  });

  it('derives the cabinets of a mirror made before they were kept, as an import would (migration 0025)', async () => {
    const fresh = await createTestDatabase(driver);
    try {
      expect((await importDirectory(fresh.database, [(days[0] as GeneratedDay).dir])).status).toBe('success');
      const cabinets = () =>
        sql`select structure_id, row_hash, active, created_import from dir_cabinet order by 1`
          .execute(fresh.database.db)
          .then((r) => r.rows);
      const imported = await cabinets();
      expect(imported.length).toBeGreaterThan(0);
      // The mirror as the version before kept it: no cabinets, then the migration applied to it.
      await sql`drop view dir_organization, dir_organization_finess, dir_organization_cabinet; drop function dir_cabinet_rows(text[]); drop table dir_cabinet, dir_cabinet_stg;
        drop index dir_structure_long_name, dir_structure_postal_prefix, dir_structure_city;
        delete from schema_migration where version = 25`.execute(fresh.database.db);
      await migrate(fresh.database);
      expect(await cabinets()).toEqual(imported);
      // The next day, compared line by line with the mirror, then makes what a full reading of it does.
      expect((await importDirectory(fresh.database, [(days[1] as GeneratedDay).dir])).status).toBe('success');
      const rows = (db: TestDatabase) =>
        sql`select structure_id, row_hash from dir_cabinet where active order by 1`
          .execute(db.database.db)
          .then((r) => r.rows);
      expect(await rows(fresh)).toEqual(await rows(t));
    } finally {
      await fresh.drop();
    }
  });

  it('refuses a generation that would deactivate too much, unless told to', async () => {
    const half = activityFile((lines) => lines.filter((_, i) => i === 0 || i % 2 === 0));
    const refused = await importDirectory(t.database, [half]);
    expect(refused.status).toBe('refused');
    expect(refused.message).toMatch(/Garde-fou : .*\d+ situations d’exercice sur \d+ \(\d+\.\d %\)/);
    const events = await listEvents(
      t.database,
      { action: 'directory.import', outcome: 'denied' },
      { limit: 5 },
    );
    expect(events.events).toHaveLength(1);
    const forced = await importDirectory(t.database, [half], { acceptMassChange: true });
    expect(forced.status).toBe('success');
    expect(forced.resources.activity?.deactivated).toBeGreaterThan(0);
    // Only the resources of the imported file are touched.
    expect(forced.resources.mailbox).toBeUndefined();
    const back = await importDirectory(t.database, [(days[1] as GeneratedDay).dir], {
      acceptMassChange: true,
    });
    // Rows deactivated by the forced import come back; the active set is exactly the generation imported.
    expect(back.resources.activity?.changed).toBeGreaterThanOrEqual(
      forced.resources.activity?.deactivated ?? 0,
    );
    const read = back.sources.find((s) => s.kind === 'personneActivite');
    expect(back.resources.activity?.active).toBe((read?.staged ?? 0) + (read?.unchanged ?? 0));
  });

  it('finds a new line whose key an unchanged line already holds', async () => {
    const only = activityFile((l) => l);
    expect((await importDirectory(t.database, [only], { acceptMassChange: true })).status).toBe('success');
    const phone = (activityText.split('\n')[0] as string).split('|').indexOf('Téléphone (coord. structure)');
    const result = await importDirectory(t.database, [
      activityFile((l) => {
        const fields = (l[2] as string).split('|');
        fields[phone] = '0102030405';
        return [...l, fields.join('|')];
      }),
    ]);
    expect(result.status).toBe('failed');
    const lines = activityText.split('\n').filter(Boolean).length;
    expect(result.rejects).toEqual([
      expect.objectContaining({
        line: lines + 1,
        reason: expect.stringMatching(/^clé en double \(déjà ligne 3\) : /),
      }),
    ]);
    const restored = await importDirectory(t.database, [(days[1] as GeneratedDay).dir], {
      acceptMassChange: true,
    });
    expect(restored.status).toBe('success');
  });

  it('keeps every field as the file has it, quotes, backslashes and CSV look-alikes included', async () => {
    const header = (activityText.split('\n')[0] as string).split('|');
    const text = [
      'Raison sociale site',
      'Enseigne commerciale site',
      'Complément destinataire (coord. structure)',
      'Libellé Voie (coord. structure)',
      'Mention distribution (coord. structure)',
      'Adresse e-mail (coord. structure)',
    ].map((name) => header.indexOf(name));
    const plain = ['a,b', 'C:\\dossier\\', '\\N', 'NULL', '  espaces  ', 'Ehpad 😀 Œuvre'];
    const quoted = ['dit "bonjour"', '"', 'retour\rchariot', '""', "l'Hôpital", ','];
    const withValues = (line: string, values: string[]) => {
      const fields = line.split('|');
      text.forEach((at, i) => {
        fields[at] = values[i] as string;
      });
      return fields.join('|');
    };
    const result = await importDirectory(
      t.database,
      [
        activityFile((l) => [
          l[0] as string,
          withValues(l[1] as string, plain),
          withValues(l[2] as string, quoted),
          withValues(l[3] as string, ['nul\0']),
          ...l.slice(4),
        ]),
      ],
      { acceptMassChange: true, maxRejects: 1 },
    );
    expect(result.status, result.message).toBe('success');
    expect(result.rejects).toEqual([
      expect.objectContaining({ line: 4, reason: 'caractère NUL dans la ligne' }),
    ]);
    const stored = async (raison: string) =>
      Object.values(
        (
          await sql<Record<string, string>>`select raison_sociale, enseigne, complement_destinataire,
            libelle_voie, mention_distribution, email from dir_activity where raison_sociale = ${raison}`.execute(
            t.database.db,
          )
        ).rows[0] ?? {},
      );
    expect(await stored('a,b')).toEqual(plain);
    expect(await stored('dit "bonjour"')).toEqual(quoted);
    const restored = await importDirectory(t.database, [(days[1] as GeneratedDay).dir], {
      acceptMassChange: true,
    });
    expect(restored.status).toBe('success');
  });

  it('imports FINESS+ JSON structures (gzip), alone or refused alongside the etalab file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confiance-finessplus-'));
    const ege = (finess: string, cog: string) => ({
      informationsGeneralesEGE: {
        numFinessEge: finess,
        nomEgeCourt: `EHPAD ${finess}`,
        siret: '12345678900017',
      },
      categorieentiteGeographiqueExercice: '500',
      adresse: [
        {
          cogCommune: cog,
          codePostal: '20000',
          ligneAcheminement: 'AJACCIO',
          coordonneesGeographique: { directionLatitude: '41.9', directionLongitude: '8.7' },
        },
      ],
      etatObjet: 'A',
    });
    const doc = {
      pmej: [
        {
          informationsGeneralesPMEJ: { numFinessPm: '2A0000011' },
          ege: [ege('2A0000029', '2A004'), ege('2A0000037', '2A004')],
        },
        { informationsGeneralesPMEJ: { numFinessPm: '970000011' }, ege: [ege('970000029', '97105')] },
      ],
    };
    writeFileSync(join(dir, 'finess-structures-journalier-20261104.json.gz'), gzipSync(JSON.stringify(doc)));
    const imported = await importDirectory(t.database, [dir], { acceptMassChange: true });
    expect(imported.status, imported.message).toBe('success');
    expect(imported.resources.structure).toMatchObject({ created: 3, active: 3 });
    expect(await count(t, 'dir_structure', "active and lat = 41.9 and departement in ('2A', '971')")).toBe(3);
    const both = await importDirectory(t.database, [
      dir,
      join(
        (days[1] as GeneratedDay).dir,
        `etalab-cs1100507-stock-${(days[1] as GeneratedDay).stamp.slice(0, 8)}-0400.csv`,
      ),
    ]);
    expect(both).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/un seul fichier FINESS par import/),
    });
    const restored = await importDirectory(t.database, [(days[1] as GeneratedDay).dir], {
      acceptMassChange: true,
    });
    expect(restored.status).toBe('success');
  });

  describe('bad input names file, line and reason, and leaves the mirror as it was', () => {
    let snapshot: unknown;
    beforeAll(async () => {
      snapshot = (
        await sql`select key, row_hash, active from dir_activity order by key`.execute(t.database.db)
      ).rows;
    });
    const unchanged = async () =>
      expect(
        (await sql`select key, row_hash, active from dir_activity order by key`.execute(t.database.db)).rows,
      ).toEqual(snapshot);

    it.each([
      [
        'an invalid RPPS key',
        (l: string[]) =>
          l.map((x, i) =>
            i === 3
              ? x.replace(/\|810(\d{9})\|/, (_, d) => `|810${d.slice(0, 8)}${(Number(d[8]) + 1) % 10}|`)
              : x,
          ),
        /:4 : (RPPS invalide|identification nationale)/,
      ],
      [
        'a wrong column count',
        (l: string[]) => l.map((x, i) => (i === 5 ? x.replace('|', '||') : x)),
        /:6 : 57 champs au lieu de 56/,
      ],
      [
        'a missing column',
        (l: string[]) => l.map((x, i) => (i === 0 ? x.replace('Code profession', 'Profession') : x)),
        /:1 : colonne absente : « Code profession »/,
      ],
      ['a duplicated line', (l: string[]) => [...l, l[2] as string], /clé en double \(déjà ligne 3\)/],
      [
        'an invalid FINESS',
        (l: string[]) =>
          l.map((x, i) =>
            i === 7
              ? x
                  .replace(/\|F([0-9][0-9AB])(\d{7})\|/, '|F$1$2|')
                  .replace(/\|([0-9][0-9AB]\d{7})\|([0-9][0-9AB]\d{7})\|F/, '|$1X|$2|F')
              : x,
          ),
        /FINESS site invalide|:8 /,
      ],
    ])('%s', async (_name, transform, reason) => {
      const result = await importDirectory(t.database, [activityFile(transform)]);
      expect(result.status).toBe('failed');
      expect(
        `${result.message}\n${result.rejects.map((r) => `${r.file}:${r.line} : ${r.reason}`).join('\n')}`,
      ).toMatch(reason);
      await unchanged();
    });

    it('a corrupt or truncated ZIP', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'confiance-zip-'));
      const zip = readFileSync(join((days[0] as GeneratedDay).dir, `PS_LibreAcces_${stamp}.zip`));
      writeFileSync(join(dir, `PS_LibreAcces_${stamp}.zip`), zip.subarray(0, Math.floor(zip.length / 2)));
      const truncated = await importDirectory(t.database, [dir]);
      expect(truncated.status).toBe('failed');
      expect(truncated.message).toMatch(/PS_LibreAcces_\d{12}\.zip.*archive ZIP illisible/);
      await unchanged();
    });

    it('a file in a bad encoding', async () => {
      const dir = activityFile((l) => l);
      const file = join(dir, `PS_LibreAcces_Personne_activite_${stamp}.txt`);
      const bytes = readFileSync(file);
      writeFileSync(file, Buffer.concat([bytes, Buffer.from([0xe9, 0x7c, 0x0a])]));
      const result = await importDirectory(t.database, [dir]);
      expect(result.status).toBe('failed');
      expect(result.message).toMatch(/octets invalides en utf-8/);
      await unchanged();
    });

    it('an unknown file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'confiance-unknown-'));
      mkdirSync(join(dir, 'x'));
      writeFileSync(join(dir, 'notes.txt'), 'x');
      const result = await importDirectory(t.database, [join(dir, 'notes.txt')]);
      expect(result).toMatchObject({
        status: 'failed',
        message: expect.stringMatching(/non reconnu : notes\.txt/),
      });
    });
  });
});
