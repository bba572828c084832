// Runs one directory import in its own process, so the benchmark can read this process's peak memory.
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { importDirectory } from '../src/directory/import/import.ts';

const [target, ...paths] = process.argv.slice(2);
const database = await openDatabase(
  target?.startsWith('postgres') ? { databaseUrl: target } : { pgliteDir: target ?? '' },
);
await migrate(database);
const started = performance.now();
const report = await importDirectory(database, paths, { acceptMassChange: true });
const seconds = (performance.now() - started) / 1000;
await database.close();
const rows = Object.values(report.resources).reduce((sum, r) => sum + r.staged, 0);
process.stdout.write(
  `${JSON.stringify({ status: report.status, message: report.message, seconds, phases: report.phases, rows, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
