// INSi round trips (client + emulator over mutual TLS) against a bare mutual-TLS HTTPS round trip with the same
// certificates, the share of time our SOAP building and parsing takes, and a batch qualification of usagers.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:https';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Agent, request } from 'undici';
import { type DriverName, openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { InsiClient } from '../src/identity/insi/client.ts';
import { parseRequest, parseResponse, resultResponse, traitsRequest } from '../src/identity/insi/messages.ts';
import { retrieveIns } from '../src/identity/qualify.ts';
import { applyIdentityEvent, createUsager, type IdentityActor } from '../src/identity/usagers.ts';
import { indexIdentities, searchByTraits, startInsiEmulator, testIdentities } from '../src/sandbox/insi.ts';
import { createTestPki } from '../src/sandbox/pki.ts';
import { syntheticIdentities, traitsOf } from '../src/sandbox/synthetic-identities.ts';
import { type Figure, report, timed } from './lib.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '16' },
    postgres: {
      type: 'string',
      default: process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test',
    },
  },
});
const calls = Number(values.calls);
const batch = Number(values.batch);
const concurrency = Number(values.concurrency);
const say = (text: string) => process.stdout.write(`${text}\n`);

const people = syntheticIdentities(batch, 1);
const pki = await createTestPki();
const emulator = await startInsiEmulator({
  pki,
  idams: ['BENCH'],
  identities: [...testIdentities, ...people],
});
const cert = await pki.issueOrganisation({ cn: 'INSI-AUTO', ou: '1920000000', o: 'EHPAD DU BANC' });
const client = new InsiClient({
  url: emulator.url,
  certPem: cert.certPem,
  keyPem: cert.keyPem,
  caPem: pki.caPem,
  idam: 'BENCH',
  version: 'bench',
  instance: randomUUID(),
});

// Baseline: the same mutual-TLS round trip to a server that answers a fixed body of the same size.
const server = await pki.issueServer(['localhost']);
const index = indexIdentities(people);
const sample = resultResponse('traits', searchByTraits(index, toQuery(0)));
const bare = createServer(
  { key: server.keyPem, cert: server.certPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: true },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/soap+xml; charset=utf-8' });
      res.end(sample);
    });
  },
);
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const barePort = (bare.address() as { port: number }).port;
const bareAgent = new Agent({ connect: { cert: cert.certPem, key: cert.keyPem, ca: pki.caPem } });
const bareBody = traitsRequest(client.caller, toQuery(0));
const bareCall = async () => {
  const r = await request(`https://localhost:${barePort}/lps`, {
    method: 'POST',
    dispatcher: bareAgent,
    headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
    body: bareBody,
  });
  await r.body.text();
};

function toQuery(i: number) {
  const p = people[i % people.length];
  if (!p) throw new Error('no synthetic identity');
  return {
    nomNaissance: p.nomNaissance,
    prenoms: [p.prenoms[0] ?? ''],
    sexe: p.sexe,
    dateNaissance: p.dateNaissance,
  };
}

async function sequential(n: number, call: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call(i);
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rate: n / seconds, p50: at(0.5), p99: at(0.99), mean: (seconds * 1000) / n };
}

async function parallel(n: number, call: (i: number) => Promise<unknown>) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await call(next++);
    }),
  );
  return n / ((performance.now() - started) / 1000);
}

say('Chauffe…');
for (let i = 0; i < 200; i++) {
  await bareCall();
  await client.query(toQuery(i));
}
say(`${calls} allers-retours séquentiels, puis ${concurrency} en parallèle…`);
const bareSeq = await sequential(calls, bareCall);
const insiSeq = await sequential(calls, (i) => client.query(toQuery(i)));
const bareRate = await parallel(calls, bareCall);
const insiRate = await parallel(calls, (i) => client.query(toQuery(i)));

// Our SOAP work per call, client and emulator sides: build the request, read it, write the answer, read it
// (the answers are looked up beforehand: only XML work is timed).
const answers = Array.from({ length: calls }, (_, i) => searchByTraits(index, toQuery(i)));
const soap = await timed(async () => {
  for (let i = 0; i < calls; i++) {
    parseRequest(traitsRequest(client.caller, toQuery(i)));
    parseResponse(
      resultResponse('traits', answers[i] ?? answers[0] ?? { code: '01', label: '', individu: null }),
    );
  }
});
const soapMs = (soap.seconds * 1000) / calls;

// Batch: usagers admitted with a checked document, then qualified through INSi, on PostgreSQL.
const admin = new pg.Client({ connectionString: values.postgres });
await admin.connect();
const dbName = `confiance_bench_insi_${process.pid}`;
await admin.query(`create database ${dbName}`);
const url = new URL(values.postgres);
url.pathname = `/${dbName}`;
const batchFigures: Figure[] = [];
for (const driver of ['postgres', 'pglite'] as DriverName[]) {
  const database = await openDatabase(
    driver === 'postgres' ? { databaseUrl: url.href, poolMax: concurrency } : { pgliteDir: 'memory://' },
  );
  await migrate(database);
  const actor: IdentityActor = {
    kind: 'professional',
    id: '810000000009',
    structureFiness: '920000000',
    means: 'e-CPS',
  };
  say(`${batch} usagers à qualifier (${driver})…`);
  const ids: string[] = [];
  for (const p of people) {
    const u = await createUsager(
      database,
      {
        traits: traitsOf(p),
      },
      actor,
    );
    await applyIdentityEvent(
      database,
      u.id,
      { type: 'document-checked', mode: 'CN', by: actor.id, at: new Date().toISOString() },
      actor,
    );
    ids.push(u.id);
  }
  let next = 0;
  let qualified = 0;
  const run = await timed(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ids.length) {
          const r = await retrieveIns(database, ids[next++] as string, client, actor);
          if (r.outcome === 'retrieved') qualified++;
        }
      }),
    ),
  );
  if (qualified !== batch) throw new Error(`${qualified} identités qualifiées sur ${batch}`);
  batchFigures.push({
    name: `qualification en lot de ${batch.toLocaleString('fr-FR')} usagers (INSi, statut, audit)`,
    driver,
    value: batch / run.seconds,
    unit: 'usagers/s',
    baseline: { name: `appels INSi seuls, ${concurrency} en parallèle`, value: insiRate },
  });
  await database.close();
}
await admin.query(`drop database ${dbName} with (force)`);
await admin.end();

await client.close();
await bareAgent.close();
await emulator.close();
bare.close();

report(
  'insi',
  [
    {
      name: 'aller-retour INSi séquentiel (mTLS) : débit',
      driver: '—',
      value: insiSeq.rate,
      unit: 'appels/s',
      baseline: { name: 'aller-retour mTLS nu', value: bareSeq.rate },
    },
    {
      name: 'aller-retour INSi séquentiel : p99',
      driver: '—',
      value: insiSeq.p99,
      unit: 'ms',
      baseline: { name: 'aller-retour mTLS nu, p99', value: bareSeq.p99 },
    },
    {
      name: `appels INSi, ${concurrency} en parallèle`,
      driver: '—',
      value: insiRate,
      unit: 'appels/s',
      baseline: { name: 'aller-retour mTLS nu', value: bareRate },
    },
    {
      name: 'construction et lecture SOAP par appel (client et émulateur)',
      driver: '—',
      value: soapMs,
      unit: 'ms',
      baseline: { name: 'aller-retour INSi complet (moyenne)', value: insiSeq.mean },
    },
    ...batchFigures,
  ],
  { calls, batch, concurrency },
);
