import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { type Database, type DriverName, openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';

export const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

let postgresReachable: Promise<boolean> | undefined;
function checkPostgres(): Promise<boolean> {
  postgresReachable ??= (async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  })();
  return postgresReachable;
}

/** Outside CI a missing PostgreSQL skips its half of the suite with a warning; in CI it fails. */
export async function postgresAvailable(): Promise<boolean> {
  const ok = await checkPostgres();
  if (!ok && process.env.CI) throw new Error(`PostgreSQL injoignable (${adminUrl}) : requis en CI.`);
  if (!ok) console.warn(`PostgreSQL injoignable (${adminUrl}) : tests PostgreSQL ignorés hors CI.`);
  return ok;
}

export interface TestDatabase {
  database: Database;
  /** URL of the PostgreSQL database created for this test (undefined on PGlite). */
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, migrated database: PGlite in memory, or a new PostgreSQL database dropped afterwards. */
export async function createTestDatabase(
  driver: DriverName,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  let url: string | undefined;
  let dropDatabase = async () => {};
  if (driver === 'postgres') {
    const name = `confiance_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    url = u.href;
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  const database = await openDatabase({ databaseUrl: url, pgliteDir: 'memory://' });
  if (options.migrate !== false) await migrate(database);
  return {
    database,
    url,
    async drop() {
      await database.close();
      await dropDatabase();
    },
  };
}

export const drivers: readonly DriverName[] = ['pglite', 'postgres'];
const postgresReady = await postgresAvailable();

/** Declares the same suite once per storage driver. */
export function describeEachDriver(title: string, suite: (driver: DriverName) => void): void {
  for (const driver of drivers) {
    describe.skipIf(driver === 'postgres' && !postgresReady)(`${title} [${driver}]`, () => suite(driver));
  }
}

/** A suite that only makes sense on PostgreSQL (several processes sharing one database). */
export function describePostgres(title: string, suite: () => void): void {
  describe.skipIf(!postgresReady)(`${title} [postgres]`, suite);
}
