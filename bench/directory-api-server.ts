// Child process of the directory-api benchmark, so that what is measured does not share an event loop with the
// load: `app <url> [cache MB]` serves Confiance's HTTP app on a directory database (its answers kept within the
// given memory, 32 MB by default) and, as the baseline, a bare Fastify route in the same process; `emulator <url> <requests per second|none>` serves the emulated national API on that
// database. Prints its ports as one JSON line.
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { ChainMonitor } from '../src/audit/verify.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/connect.ts';
import { buildAnnuaireEmulator } from '../src/sandbox/annuaire.ts';

const [mode, databaseUrl, option] = process.argv.slice(2);
const database = await openDatabase({ databaseUrl, poolMax: 20 });
const port = (server: { address(): unknown }) => (server.address() as { port: number }).port;
const closers: Array<() => Promise<unknown>> = [];

if (mode === 'emulator') {
  const emulator = await buildAnnuaireEmulator({
    database,
    apiKeys: ['bench'],
    requestsPerSecond: option === 'none' ? null : Number(option),
    maxCount: 1000,
  });
  await emulator.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => emulator.close());
  process.stdout.write(`${JSON.stringify({ emulator: port(emulator.server) })}\n`);
} else {
  const config = loadConfig({
    LOG_LEVEL: 'error',
    CONFIANCE_RATE_LIMIT_MAX: '100000000',
    CONFIANCE_DB_POOL_MAX: '20',
    CONFIANCE_FHIR_CACHE_MB: option ?? '32',
  });
  const app = await buildApp({
    config,
    database,
    chain: new ChainMonitor(database),
    version: 'bench',
    startedAt: new Date(),
    sessionSecret: 'bench-session-secret-of-at-least-32-characters',
    insi: null,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  closers.push(
    () => app.close(),
    () => bare.close(),
  );
  process.stdout.write(`${JSON.stringify({ app: port(app.server), bare: port(bare.server) })}\n`);
}
process.on('SIGTERM', async () => {
  for (const close of closers) await close();
  await database.close();
  process.exit(0);
});
