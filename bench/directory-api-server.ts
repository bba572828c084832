// Child process of the directory-api benchmark: Confiance's HTTP app on a directory database, and a bare Fastify
// route in the same process as the baseline, so both see the same CPU. Prints the two ports as one JSON line.
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { ChainMonitor } from '../src/audit/verify.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/connect.ts';

const databaseUrl = process.argv[2];
const database = await openDatabase({ databaseUrl, poolMax: 20 });
const config = loadConfig({
  LOG_LEVEL: 'error',
  CONFIANCE_RATE_LIMIT_MAX: '100000000',
  CONFIANCE_DB_POOL_MAX: '20',
});
const app = await buildApp({
  config,
  database,
  chain: new ChainMonitor(database),
  version: 'bench',
  startedAt: new Date(),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const bare = Fastify({ logger: false });
bare.get('/bare', async () => ({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] }));
await bare.listen({ host: '127.0.0.1', port: 0 });
const port = (server: { address(): unknown }) => (server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ app: port(app.server), bare: port(bare.server) })}\n`);
process.on('SIGTERM', async () => {
  await app.close();
  await bare.close();
  await database.close();
  process.exit(0);
});
