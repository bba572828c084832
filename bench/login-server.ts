// Child process of the login benchmark: the hub (Confiance's server) alone in its process, so that what is
// measured does not share an event loop with the load nor with the PSC emulator.
// Arguments: <database url> <port> <PSC discovery url>. Prints {"ready":true} once listening.
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startServer } from '../src/server.ts';

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
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
