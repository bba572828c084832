import { join } from 'node:path';
import type { Database } from '../db/connect.ts';
import { generateDirectory } from './generate/generate.ts';
import { importDirectory } from './import/import.ts';
import { lastImport } from './queries.ts';

/**
 * The demo's directory: on a first start, a `small` synthetic generation is written under the data directory
 * and imported, so the console has data within seconds. Later starts keep what is there.
 */
export async function ensureDemoDirectory(database: Database, dataDir: string): Promise<string | null> {
  if (await lastImport(database)) return null;
  const [day] = await generateDirectory({
    profile: 'small',
    seed: 1,
    days: 1,
    out: join(dataDir, 'annuaire-demo'),
  });
  if (!day) return null;
  const report = await importDirectory(database, [day.dir]);
  return report.message;
}
