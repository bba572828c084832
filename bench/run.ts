// `npm run bench -- <name> [options]`: runs bench/<name>.ts, which prints its figures and writes its results.
import { readdirSync } from 'node:fs';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts'].includes(f) && !/-(child|server)\.ts$/.test(f))
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`Utilisation : npm run bench -- <${available.join('|')}> [options]`);
  process.exit(name ? 1 : 0);
}
process.argv.splice(2, 1);
await import(`./${name}.ts`);
