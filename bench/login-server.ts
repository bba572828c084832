// Child process of the login benchmark: the hub (Confiance's server) alone in its process, so that what is
// measured does not share an event loop with the load nor with the PSC emulator.
// Arguments: <database url> <port> <PSC discovery url>. Prints {"ready":true} once listening.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startServer } from '../src/server.ts';

// BENCH_PROFILE=<dir>: the hub's CPU profile is written there when it stops (open it in Chrome's DevTools).
const profiler = process.env.BENCH_PROFILE ? new Session() : null;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

const [databaseUrl, port, discoveryUrl] = process.argv.slice(2) as [string, string, string];
const database = await openDatabase({ databaseUrl, poolMax: 20 });
const server = await startServer(
  loadConfig({
    PORT: port,
    HOST: '127.0.0.1',
    CONFIANCE_BASE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
    CONFIANCE_DATA_DIR: '/tmp/confiance-bench-login',
    CONFIANCE_RATE_LIMIT_MAX: '1000000',
    CONFIANCE_DB_POOL_MAX: '20',
  }),
  database,
  { psc: { discoveryUrl, clientId: 'confiance', clientSecret: 'banc' }, franceconnect: null },
);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.on('SIGTERM', async () => {
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    mkdirSync(process.env.BENCH_PROFILE as string, { recursive: true });
    writeFileSync(join(process.env.BENCH_PROFILE as string, 'hub.cpuprofile'), JSON.stringify(profile));
  }
  const stop = setTimeout(() => process.exit(0), 5000);
  server.close().finally(() => {
    clearTimeout(stop);
    process.exit(0);
  });
});
