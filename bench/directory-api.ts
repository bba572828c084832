// FHIR API and sync of the directory mirror, on PostgreSQL. Searches run at 50 concurrent connections against
// Confiance and, as the baseline, a bare Fastify route in the same child process, each measure after a 3-second
// warm-up (the bare route's too); lookups by RPPS are measured repeated over 2 000 practitioners and over as many
// different ones as there are (up to 200 000), each asked once; searches by name and place repeated, then on a
// server that keeps no answer. The sync runs against the
// emulated national API, with its rate limit lifted (our own cost) and with the national limits (against the
// floor they impose: pages ÷ 17 s).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pg from 'pg';
import { type Database, openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { storePractitionerBodies } from '../src/directory/fhir/bodies.ts';
import { generateDirectory } from '../src/directory/generate/generate.ts';
import { type Profile, profiles } from '../src/directory/generate/population.ts';
import { importDirectory } from '../src/directory/import/import.ts';
import { syncDirectory } from '../src/directory/sync/sync.ts';
import { type Figure, report, timed } from './lib.ts';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'small' },
    seed: { type: 'string', default: '1' },
    duration: { type: 'string', default: '10' },
    postgres: {
      type: 'string',
      default: process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test',
    },
  },
});
const profileName = values.profile as 'small' | 'national';
const seed = Number(values.seed);
const duration = Number(values.duration);
const say = (text: string) => process.stdout.write(`${text}\n`);

// The second day carries the changes of the monthly delta: ≈ 50 000 changed resources on the national
// profile. Eight days' worth of the profile's daily rates gives that (twenty gave 131 220).
const base = profiles[profileName];
const monthly: Profile = {
  ...base,
  departure: base.departure * 8,
  arrival: base.arrival * 8,
  move: base.move * 8,
};

async function generated(name: string, profile: Profile): Promise<[string, string]> {
  const dir = join(tmpdir(), `confiance-bench-api-${name}-${seed}`);
  if (!existsSync(join(dir, 'done'))) {
    say(`Génération ${name} dans ${dir}…`);
    const g = await timed(() => generateDirectory({ profile, seed, days: 2, out: dir }));
    say(`Généré en ${g.seconds.toFixed(0)} s.`);
    createWriteStream(join(dir, 'done')).end();
  }
  return [join(dir, '20261102'), join(dir, '20261103')];
}

const admin = new pg.Client({ connectionString: values.postgres });
await admin.connect();
const dropped: string[] = [];
async function freshPostgres(): Promise<{ url: string; database: Database }> {
  const name = `confiance_bench_api_${process.pid}_${dropped.length}`;
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  dropped.push(name);
  const u = new URL(values.postgres);
  u.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: u.href, poolMax: 10 });
  await migrate(database);
  return { url: u.href, database };
}

/** Starts bench/directory-api-server.ts in a child process and reads the ports it prints. */
async function child(args: string[]): Promise<{ ports: Record<string, number>; stop: () => void }> {
  const started = spawn(process.execPath, ['--import', 'tsx', 'bench/directory-api-server.ts', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    started.once('exit', (code) => reject(new Error(`processus de banc arrêté (${code})`)));
    createInterface({ input: started.stdout }).once('line', (line) => resolve(JSON.parse(line)));
  });
  return { ports, stop: () => started.kill('SIGTERM') };
}

/** The emulated national API on a database, in its own process so that the sync does not share its CPU. */
async function serve(url: string, requestsPerSecond: number | null) {
  const c = await child(['emulator', url, requestsPerSecond === null ? 'none' : String(requestsPerSecond)]);
  return { stop: c.stop, url: `http://127.0.0.1:${c.ports.emulator}/fhir/v2` };
}

const figures: Figure[] = [];
const details: Record<string, unknown> = {};

// 1. Sync with the national limits on a medium directory (about 400 pages, so that the final merge weighs as
// little as it does nationally): the time against requests ÷ 17 s.
{
  const medium: Profile = { ...profiles.small, persons: 30_000, structures: 2_000 };
  const [day0] = await generated('medium', medium);
  const source = await freshPostgres();
  const target = await freshPostgres();
  await importDirectory(source.database, [day0]);
  const { stop, url } = await serve(source.url, 17);
  say('Synchronisation aux limites nationales (17 requêtes/s, 200 par page)…');
  // When the last page arrived: what follows is our own work (staging, guard, merge, statistics).
  const started = performance.now();
  let lastPage = started;
  const r = await timed(() =>
    syncDirectory(target.database, {
      baseUrl: url,
      apiKey: 'bench',
      requestsPerSecond: 17,
      pageSize: 200,
      onPage: () => {
        lastPage = performance.now();
      },
    }),
  );
  if (r.result.status !== 'success') throw new Error(r.result.message);
  const floor = r.result.requests / 17;
  const download = (lastPage - started) / 1000;
  details.throttled = {
    seconds: r.seconds,
    downloadSeconds: download,
    pages: r.result.pages,
    requests: r.result.requests,
    retries: r.result.retries,
  };
  figures.push({
    name: 'synchronisation aux limites nationales (30 000 professionnels)',
    driver: 'postgres',
    value: r.seconds,
    unit: 's',
    baseline: { name: `plancher : ${r.result.requests} requêtes ÷ 17/s`, value: floor },
  });
  figures.push({
    name: 'dont téléchargement des pages',
    driver: 'postgres',
    value: download,
    unit: 's',
    baseline: { name: 'plancher', value: floor },
  });
  stop();
  await source.database.close();
  await target.database.close();
}

// 2. Full sync and a month's delta, rate limit lifted.
const [day0, day1] = await generated(
  profileName === 'small' ? 'small-monthly' : `${profileName}-monthly`,
  monthly,
);
const source = await freshPostgres();
const target = await freshPostgres();
say('Import de la génération source…');
const loaded = await timed(() => importDirectory(source.database, [day0]));
details.sourceImportSeconds = loaded.seconds;
const { stop: stopEmulator, url } = await serve(source.url, null);
say('Synchronisation complète sans limite de débit…');
let lastSaid = 0;
const full = await timed(() =>
  syncDirectory(target.database, {
    baseUrl: url,
    apiKey: 'bench',
    requestsPerSecond: 1000,
    pageSize: 1000,
    onPage: (p) => {
      if (Date.now() - lastSaid > 30_000) {
        lastSaid = Date.now();
        say(`  ${p.resource} : ${p.pages} pages, ${p.entries} ressources`);
      }
    },
  }),
);
if (full.result.status !== 'success') throw new Error(full.result.message);
details.full = { seconds: full.seconds, pages: full.result.pages, entries: full.result.entries };
figures.push({
  name: `synchronisation complète sans limite (${full.result.entries.toLocaleString('fr-FR')} ressources)`,
  driver: 'postgres',
  value: full.seconds,
  unit: 's',
  baseline: { name: 'plafond visé', value: 600 },
});

await importDirectory(source.database, [day1]);
say('Synchronisation par delta (un mois de changements)…');
const delta = await timed(() =>
  syncDirectory(target.database, { baseUrl: url, apiKey: 'bench', requestsPerSecond: 1000, pageSize: 1000 }),
);
if (delta.result.status !== 'success' || delta.result.mode !== 'delta') throw new Error(delta.result.message);
details.delta = { seconds: delta.seconds, entries: delta.result.entries, resources: delta.result.resources };
figures.push({
  name: `synchronisation par delta (${delta.result.entries.toLocaleString('fr-FR')} ressources changées)`,
  driver: 'postgres',
  value: delta.seconds,
  unit: 's',
  baseline: { name: 'plafond visé', value: 60 },
});
stopEmulator();
await source.database.close();

// Practitioners' bodies, which a server stores in the background after each generation (src/directory/fhir/bodies.ts):
// stored here before the searches are measured, as they are on a server once the night's refresh is over.
say('Ressources Practitioner gardées telles qu’envoyées…');
const bodies = await timed(() => storePractitionerBodies(target.database));
details.bodies = { seconds: bodies.seconds, practitioners: bodies.result };
figures.push({
  name: `ressources Practitioner gardées telles qu’envoyées (${bodies.result.toLocaleString('fr-FR')}), en tâche de fond`,
  driver: 'postgres',
  value: bodies.seconds,
  unit: 's',
  baseline: { name: 'synchronisation complète', value: full.seconds },
});

// 3. Searches on the synced mirror, 50 connections, against the bare route.
const samples = {
  rpps: (
    await sql<{ v: string }>`select pp_id as v from dir_professional where id_type = '8' and active
      order by md5(id_nat) limit 2000`.execute(target.database.db)
  ).rows.map((r) => r.v),
  // As many different professionals as there are (up to 200 000), each asked once if the run is short enough:
  // every lookup misses the answers kept per generation and goes to the database.
  everyRpps: (
    await sql<{ v: string }>`select pp_id as v from dir_professional where id_type = '8' and active
      order by md5(id_nat || 'cold') limit 200000`.execute(target.database.db)
  ).rows.map((r) => r.v),
  names: (
    await sql<{ v: string }>`select distinct lower(substr(nom_exercice, 1, 3)) as v from dir_professional
      where active and length(nom_exercice) >= 3 limit 500`.execute(target.database.db)
  ).rows.map((r) => r.v),
  places: (
    await sql<{ p: string; c: string }>`select code_postal as p, profession_code as c from dir_activity
      where active and code_postal is not null order by md5(key) limit 2000`.execute(target.database.db)
  ).rows,
};
await target.database.close();

const server = await child(['app', new URL(target.url).href]);
const ports = server.ports as { app: number; bare: number };

interface Load {
  rps: number;
  requests: number;
  p95: number;
  p99: number;
  errors: number;
}

/** Seconds of load before each measure, not counted: the JIT compiles the route and repeated answers are kept. */
const warmUp = 3;

/** 50 connections for `seconds`; latencies of every response, for exact percentiles. */
async function run(port: number, path: () => string, seconds: number): Promise<Load> {
  const latencies: number[] = [];
  let errors = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: 50,
        duration: seconds,
        requests: [{ setupRequest: (req) => ({ ...req, path: path() }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status !== 200) errors++;
      latencies.push(ms);
    });
  });
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p95: at(0.95),
    p99: at(0.99),
    errors: errors + result.errors + result.non2xx,
  };
}

/** A warm-up then the measure, the request counter running on (lookups meant to be new stay new). */
async function load(port: number, path: (i: number) => string): Promise<Load> {
  let i = 0;
  const warm = await run(port, () => path(i++), warmUp);
  const measured = await run(port, () => path(i++), duration);
  return { ...measured, requests: warm.requests + measured.requests };
}

const pick = <T>(list: T[], i: number): T => list[i % list.length] as T;
const searches = {
  name: (names: string[]) => (i: number) => `/fhir/Practitioner?name=${encodeURIComponent(pick(names, i))}`,
  place: (places: typeof samples.places) => (i: number) => {
    const p = pick(places, i);
    return `/fhir/Practitioner?address-postalcode=${p.p}&profession=${p.c}`;
  },
  accurate: (names: string[]) => (i: number) =>
    `/fhir/Practitioner?name=${encodeURIComponent(pick(names, i))}&_total=accurate&_count=20`,
};
// Repeated searches, as a DUI's users make them, are answered from the first pages kept for the generation: the
// name prefixes (as many as the directory has: about 140 in the generated national one, whose family names come from a
// list of 203) and 200 of the places fit in the default 32 MB. The same searches are then measured on a server that
// keeps nothing: every answer worked out, what a search never asked before in the generation costs.
const repeatedPlaces = samples.places.slice(0, 200);
say('Charge HTTP (50 connexions)…');
const bare = await load(ports.bare, () => '/bare');
const byRpps = await load(ports.app, (i) => `/fhir/Practitioner?identifier=${pick(samples.rpps, i)}`);
const coldRpps = await load(ports.app, (i) => `/fhir/Practitioner?identifier=${pick(samples.everyRpps, i)}`);
const byName = await load(ports.app, searches.name(samples.names));
const byPlace = await load(ports.app, searches.place(repeatedPlaces));
const accurate = await load(ports.app, searches.accurate(samples.names));
server.stop();
say('Charge HTTP sans réponses gardées…');
const uncached = await child(['app', new URL(target.url).href, '0']);
const uncachedPort = (uncached.ports as { app: number }).app;
const byNameUncached = await load(uncachedPort, searches.name(samples.names));
const byPlaceUncached = await load(uncachedPort, searches.place(samples.places));
const accurateUncached = await load(uncachedPort, searches.accurate(samples.names));
uncached.stop();
const loads = {
  byRpps,
  coldRpps,
  byName,
  byPlace,
  accurate,
  byNameUncached,
  byPlaceUncached,
  accurateUncached,
};
details.http = { bare, ...loads };
// A response in error (or past autocannon's 10 s time-out) is reported, not hidden: the figures stay, with it.
for (const [name, l] of Object.entries(loads))
  if (l.errors > 0) say(`Attention : ${name} : ${l.errors} réponse(s) en erreur ou hors délai.`);

const p95 = (name: string, l: Load): Figure => ({
  name: `${name} : p95`,
  driver: 'postgres',
  value: l.p95,
  unit: 'ms',
  baseline: { name: 'plafond visé', value: 50 },
});
figures.push(
  {
    name: `Practitioner?identifier=<RPPS>, ${samples.rpps.length.toLocaleString('fr-FR')} praticiens demandés en boucle : p99`,
    driver: 'postgres',
    value: byRpps.p99,
    unit: 'ms',
    baseline: { name: 'plafond visé', value: 10 },
  },
  {
    name: 'même recherche : requêtes/s',
    driver: 'postgres',
    value: byRpps.rps,
    unit: 'req/s',
    baseline: { name: 'route Fastify nue', value: bare.rps },
  },
  {
    name: `Practitioner?identifier=<RPPS>, ${samples.everyRpps.length.toLocaleString('fr-FR')} praticiens ${
      coldRpps.requests <= samples.everyRpps.length ? 'demandés chacun une fois' : 'demandés en boucle'
    } : requêtes/s`,
    driver: 'postgres',
    value: coldRpps.rps,
    unit: 'req/s',
    baseline: { name: 'route Fastify nue', value: bare.rps },
  },
  {
    name: 'même recherche : p99',
    driver: 'postgres',
    value: coldRpps.p99,
    unit: 'ms',
    baseline: { name: 'plafond visé', value: 10 },
  },
  p95(`Practitioner?name=<préfixe>, ${samples.names.length} préfixes en boucle`, byName),
  p95(`Practitioner?address-postalcode&profession, ${repeatedPlaces.length} lieux en boucle`, byPlace),
  p95('Practitioner?name=<préfixe>&_total=accurate, en boucle', accurate),
  p95('Practitioner?name=<préfixe>, sans réponses gardées', byNameUncached),
  p95(
    `Practitioner?address-postalcode&profession, ${samples.places.length.toLocaleString('fr-FR')} lieux, sans réponses gardées`,
    byPlaceUncached,
  ),
  p95('Practitioner?name=<préfixe>&_total=accurate, sans réponses gardées', accurateUncached),
);

for (const name of dropped) await admin.query(`drop database if exists ${name} with (force)`);
await admin.end();
report('directory-api', figures, { profile: profileName, seed, details });
