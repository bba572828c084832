// Audit trail throughput on PGlite (on disk) and PostgreSQL: chained appends and verification, against plain
// INSERTs of the same rows into a copy of the table with the same indexes and constraints but no chain
// (so the ratio is the cost of the chain: lock, head read, hashing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { appendEvent, appendEvents } from '../src/audit/append.ts';
import type { AuditEventInput } from '../src/audit/event.ts';
import { verifyChain } from '../src/audit/verify.ts';
import { type Database, openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { type Figure, report, timed } from './lib.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    single: { type: 'string', default: '2000' },
    postgres: {
      type: 'string',
      default: process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test',
    },
  },
});
const total = Number(values.events);
const singles = Number(values.single);
const batch = 500;
const callers = 32;

const event = (i: number): AuditEventInput => ({
  action: 'bench.append',
  outcome: 'success',
  actor: { kind: 'professional', id: `8100${String(i % 100000).padStart(8, '0')}` },
  structureFiness: '750000001',
  mie: { means: 'e-CPS', level: 'eidas2' },
  subject: { type: 'usager', id: `u-${i % 1000}` },
  details: { i, source: 'bench' },
});

async function plainInserts(database: Database, n: number, perTransaction: number): Promise<number> {
  await sql`create table if not exists bench_plain (like audit_event including all)`.execute(database.db);
  await sql`truncate bench_plain`.execute(database.db);
  const { seconds } = await timed(async () => {
    for (let start = 0; start < n; start += perTransaction) {
      const rows = Array.from({ length: Math.min(perTransaction, n - start) }, (_, k) => {
        const i = start + k;
        const e = event(i);
        return sql`(${i + 1}, now(), ${e.action}, ${e.outcome}, ${e.actor.kind}, ${e.actor.id}, ${e.structureFiness},
          ${e.mie?.means}, ${e.mie?.level}, ${e.subject?.type}, ${e.subject?.id}, null, ${JSON.stringify(e.details)}::jsonb,
          ${'0'.repeat(64)}, ${(i + 1).toString(16).padStart(64, '0')})`;
      });
      await database.db
        .transaction()
        .execute((trx) => sql`insert into bench_plain values ${sql.join(rows)}`.execute(trx));
    }
  });
  return n / seconds;
}

async function measure(driver: string, database: Database): Promise<Figure[]> {
  await migrate(database);
  const plainBatched = await plainInserts(database, total, batch);
  const plainSingle = await plainInserts(database, singles, 1);

  const batched = await timed(async () => {
    for (let start = 0; start < total; start += batch)
      await appendEvents(
        database,
        Array.from({ length: Math.min(batch, total - start) }, (_, k) => event(start + k)),
      );
  });
  const single = await timed(async () => {
    for (let i = 0; i < singles; i++) await appendEvent(database, event(i));
  });
  // Requests of a busy server auditing one event each at the same time: group-committed.
  let next = 0;
  const concurrent = await timed(() =>
    Promise.all(
      Array.from({ length: callers }, async () => {
        while (next < singles) await appendEvent(database, event(next++));
      }),
    ),
  );
  const verified = await timed(() => verifyChain(database));
  if (verified.result.firstBreak || verified.result.checked !== total + 2 * singles)
    throw new Error('chaîne invalide');
  const scan = await timed(() => database.db.selectFrom('audit_event').selectAll().execute());

  return [
    {
      name: `ajout par lots de ${batch}`,
      driver,
      value: total / batched.seconds,
      unit: 'évén./s',
      baseline: { name: `INSERT simple par lots de ${batch}`, value: plainBatched },
    },
    {
      name: 'ajout unitaire (1 transaction par événement)',
      driver,
      value: singles / single.seconds,
      unit: 'évén./s',
      baseline: { name: 'INSERT simple unitaire', value: plainSingle },
    },
    {
      name: `ajout unitaire par ${callers} appelants simultanés`,
      driver,
      value: singles / concurrent.seconds,
      unit: 'évén./s',
      baseline: { name: 'INSERT simple unitaire', value: plainSingle },
    },
    {
      name: 'vérification de la chaîne',
      driver,
      value: verified.result.checked / verified.seconds,
      unit: 'évén./s',
      baseline: { name: 'lecture seule des mêmes lignes', value: scan.result.length / scan.seconds },
    },
  ];
}

const figures: Figure[] = [];

const dir = mkdtempSync(join(tmpdir(), 'confiance-bench-'));
const embedded = await openDatabase({ pgliteDir: join(dir, 'pglite') });
try {
  figures.push(...(await measure('pglite', embedded)));
} finally {
  await embedded.close();
  rmSync(dir, { recursive: true, force: true });
}

const name = `confiance_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: values.postgres });
await admin.connect();
const serverVersion = (await admin.query('show server_version')).rows[0]?.server_version;
await admin.query(`create database ${name}`);
const url = new URL(values.postgres);
url.pathname = `/${name}`;
const server = await openDatabase({ databaseUrl: url.href });
try {
  figures.push(...(await measure('postgres', server)));
} finally {
  await server.close();
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
}

report('audit', figures, { events: total, singleEvents: singles, postgres: serverVersion });
