// Directory import on PostgreSQL and PGlite against PostgreSQL's own COPY of the same rows, already extracted
// to plain text (the baseline, measured in the same run), and against PostgreSQL making the same mirror from its
// rows in plain text (COPY into its tables, then their indexes and statistics); then one day of changes on top of
// a full generation.
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { generateDirectory } from '../src/directory/generate/generate.ts';
import { dropKeysAndIndexes } from '../src/directory/import/merge.ts';
import { resources } from '../src/directory/import/resources.ts';
import { stageSource } from '../src/directory/import/stage.ts';
import { collectSources } from '../src/directory/sources.ts';
import { type Figure, report, timed } from './lib.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'small' },
    seed: { type: 'string', default: '1' },
    postgres: {
      type: 'string',
      default: process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test',
    },
  },
});
const profile = values.profile as 'small' | 'national';
const seed = Number(values.seed);

// Generated files are kept between runs: generating is not what is measured.
const dataDir = join(tmpdir(), `confiance-bench-directory-${profile}-${seed}`);
if (!existsSync(join(dataDir, 'done'))) {
  process.stdout.write(`Génération du profil ${profile} dans ${dataDir}…\n`);
  const generated = await timed(() => generateDirectory({ profile, seed, days: 2, out: dataDir }));
  process.stdout.write(`Généré en ${generated.seconds.toFixed(0)} s.\n`);
  createWriteStream(join(dataDir, 'done')).end();
}
const [day0, day1] = ['20261102', '20261103'].map((d) => join(dataDir, d)) as [string, string];

const admin = new pg.Client({ connectionString: values.postgres });
await admin.connect();
const serverVersion = (await admin.query('show server_version')).rows[0]?.server_version;
async function freshPostgres(): Promise<{ url: string; drop: () => Promise<unknown> }> {
  const name = `confiance_bench_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  await admin.query(`create database ${name}`);
  const u = new URL(values.postgres);
  u.pathname = `/${name}`;
  return { url: u.href, drop: () => admin.query(`drop database ${name} with (force)`) };
}

// Baseline: the staged rows written out as CSV (untimed), then loaded by COPY alone.
const csvDir = mkdtempSync(join(tmpdir(), 'confiance-bench-csv-'));
const extract = await freshPostgres();
const extractDb = await openDatabase({ databaseUrl: extract.url });
await migrate(extractDb);
const tables: Array<{ table: string; columns: string[]; file: string }> = [];
for (const source of await collectSources([day0])) await stageSource(extractDb, source, () => {});
const extractClient = new pg.Client({ connectionString: extract.url });
await extractClient.connect();
for (const r of Object.values(resources)) {
  if (r.name === 'professional') continue;
  const table = `${r.table}_stg`;
  const columns = ['line', r.key, ...r.columns];
  const file = join(csvDir, `${table}.csv`);
  // COPY TO streams the staged rows straight to the file, whatever their number.
  await pipeline(
    extractClient.query(copyTo(`COPY ${table} (${columns.join(', ')}) TO STDOUT WITH (FORMAT csv)`)),
    createWriteStream(file),
  );
  tables.push({ table, columns, file });
}
await extractClient.end();
await extractDb.close();
const copyDb = await freshPostgres();
const copyClient = new pg.Client({ connectionString: copyDb.url });
await copyClient.connect();
await (async () => {
  const db = await openDatabase({ databaseUrl: copyDb.url });
  await migrate(db);
  await db.close();
})();
// COPY alone: without the triggers that compute the content hashes of staged rows (part of the import's work).
for (const t of tables) await copyClient.query(`alter table ${t.table} disable trigger user`);
const baseline = await timed(async () => {
  let n = 0;
  for (const t of tables) {
    await pipeline(
      createReadStream(t.file),
      copyClient.query(copyFrom(`COPY ${t.table} (${t.columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`)),
    );
    n += (await copyClient.query(`select count(*)::int as n from ${t.table}`)).rows[0].n;
  }
  return n;
});
await copyClient.end();
await copyDb.drop();
await extract.drop();
rmSync(csvDir, { recursive: true, force: true });

const child = join(import.meta.dirname, 'directory-import-child.ts');
async function importOnce(target: string, path: string) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, target, path], {
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  if (result.status !== 'success') throw new Error(`import en échec : ${result.message}`);
  return result as { seconds: number; rows: number; peakRssMB: number };
}

/** The mirror's tables, each with the columns a COPY can fill (generated ones are computed by PostgreSQL). */
async function mirrorTables(client: pg.Client): Promise<Array<{ table: string; columns: string[] }>> {
  const tables = [...new Set(Object.values(resources).map((r) => r.table))];
  return Promise.all(
    tables.map(async (table) => ({
      table,
      columns: (
        await client.query(
          `select column_name from information_schema.columns
           where table_schema = current_schema() and table_name = $1 and is_generated = 'NEVER'
           order by ordinal_position`,
          [table],
        )
      ).rows.map((r) => r.column_name as string),
    })),
  );
}

/** Writes the mirror's rows, as a full import left them, to CSV files (untimed). */
async function dumpMirror(url: string, dir: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const { table, columns } of await mirrorTables(client))
    await pipeline(
      client.query(copyTo(`COPY (select ${columns.join(', ')} from ${table}) TO STDOUT WITH (FORMAT csv)`)),
      createWriteStream(join(dir, `${table}.csv`)),
    );
  await client.end();
}

/**
 * The second baseline: PostgreSQL alone making the same mirror from its rows already in plain text, as a DBA's bulk
 * load would: COPY into the mirror's tables without their indexes and keys, which are then built, and analyze.
 * What any importer must at least spend to serve searches, against the first baseline's bare COPY.
 */
async function loadMirror(dir: string): Promise<number> {
  const db = await freshPostgres();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const database = await openDatabase({ databaseUrl: db.url, poolMax: 1 });
  try {
    await migrate(database);
    const tables = await mirrorTables(client);
    const started = performance.now();
    for (const { table, columns } of tables) {
      const rebuild = await dropKeysAndIndexes(database.db, table);
      await pipeline(
        createReadStream(join(dir, `${table}.csv`)),
        client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`)),
      );
      await rebuild();
      await client.query(`analyze ${table}`);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await database.close();
    await client.end();
    await db.drop();
  }
}

const figures: Figure[] = [];
const details: Record<string, unknown> = { baselineSeconds: baseline.seconds, baselineRows: baseline.result };
let mirrorLoadSeconds = 0;
for (const driver of ['postgres', 'pglite'] as const) {
  let target: string;
  let cleanup: () => Promise<unknown>;
  if (driver === 'postgres') {
    const db = await freshPostgres();
    target = db.url;
    cleanup = db.drop;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'confiance-bench-pglite-'));
    mkdirSync(dir, { recursive: true });
    target = join(dir, 'pglite');
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  try {
    const full = await importOnce(target, day0);
    if (driver === 'postgres') {
      const dumped = mkdtempSync(join(tmpdir(), 'confiance-bench-mirror-'));
      await dumpMirror(target, dumped);
      mirrorLoadSeconds = await loadMirror(dumped);
      rmSync(dumped, { recursive: true, force: true });
      details.mirrorLoadSeconds = mirrorLoadSeconds;
    }
    const delta = await importOnce(target, day1);
    details[driver] = { full, delta };
    figures.push({
      name: 'import complet (durée)',
      driver,
      value: full.seconds,
      unit: 's',
      baseline: { name: 'COPY PostgreSQL des mêmes lignes', value: baseline.seconds },
    });
    figures.push({
      name: 'import complet (durée)',
      driver,
      value: full.seconds,
      unit: 's',
      baseline: {
        name: 'COPY PostgreSQL des mêmes lignes dans le miroir, index et statistiques compris',
        value: mirrorLoadSeconds,
      },
    });
    figures.push({
      name: 'import complet (lignes/s)',
      driver,
      value: full.rows / full.seconds,
      unit: 'lignes/s',
      baseline: { name: 'COPY PostgreSQL des mêmes lignes', value: baseline.result / baseline.seconds },
    });
    figures.push({
      name: 'mémoire résidente maximale de l’import',
      driver,
      value: Math.max(full.peakRssMB, delta.peakRssMB),
      unit: 'Mo',
      baseline: { name: 'plafond visé', value: 512 },
    });
    figures.push({
      name: 'import d’un jour de changements (durée)',
      driver,
      value: delta.seconds,
      unit: 's',
      baseline: { name: 'import complet', value: full.seconds },
    });
  } finally {
    await cleanup();
  }
}
await admin.end();
report('directory-import', figures, {
  profile,
  seed,
  rows: baseline.result,
  postgres: serverVersion,
  details,
});
