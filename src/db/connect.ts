import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { type BulkLoader, PGliteBulkLoader, PostgresBulkLoader } from './bulk.ts';
import { Mutex } from './mutex.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Schema } from './schema.ts';

export type DriverName = 'pglite' | 'postgres';

export interface Database {
  readonly driver: DriverName;
  /** Where the data lives, without credentials: shown on the console and in logs. */
  readonly location: string;
  readonly db: Kysely<Schema>;
  readonly bulk: BulkLoader;
  /** Runs `fn` while holding a lock that every process sharing this database respects. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent, PGlite in `pgliteDir`. */
  databaseUrl?: string | undefined;
  /** A directory, or `memory://` for a throw-away database. */
  pgliteDir?: string;
  poolMax?: number;
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/** int8 as a JS number on both drivers: sequence numbers and counts stay far below 2^53. */
const INT8 = 20;
const parseInt8 = (value: string) => Number(value);

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolMax ?? 10);
  return openPGlite(options.pgliteDir ?? 'memory://');
}

/** Stable 64-bit key for pg_advisory_lock derived from a readable name. */
export function lockKey(name: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(`confiance:${name}`)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h).toString();
}

export function describePostgresUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

const reads = /^\s*(select|with)\b/i;
const patterns = /\blike\b/i;

/** Named statements a connection keeps at most: query shapes vary with the number of values a search lists. */
export const maxPreparedPerConnection = 256;

/**
 * Reads with parameters run as named prepared statements, so that each connection plans a query shape once:
 * a directory search spends more time being planned than executed. Other statements go through unchanged, and so
 * do LIKE searches: a prefix pattern only uses an index when the planner sees its value. A connection prepares at
 * most `maxPreparedPerConnection` shapes (PostgreSQL keeps each one in the backend's memory until it closes); past
 * that, new shapes run unnamed, so requests crafted to vary their shape cannot grow the server without bound.
 */
function preparingPool(pool: pg.Pool): PostgresPool {
  const prepared = new WeakMap<pg.PoolClient, Set<string>>();
  return {
    async connect() {
      const client = await pool.connect();
      let names = prepared.get(client);
      if (!names) {
        names = new Set();
        prepared.set(client, names);
      }
      const kept = names;
      const query = (text: unknown, values?: readonly unknown[]) => {
        if (
          typeof text === 'string' &&
          values &&
          values.length > 0 &&
          reads.test(text) &&
          !patterns.test(text)
        ) {
          const name = `q${createHash('sha1').update(text).digest('hex').slice(0, 30)}`;
          if (kept.has(name) || kept.size < maxPreparedPerConnection) {
            kept.add(name);
            return client.query({ name, text, values: [...values] });
          }
        }
        return client.query(text as string, values as unknown[]);
      };
      return { query, release: () => client.release() } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

async function openPostgres(url: string, poolMax: number): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: 5000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A broken idle connection must not crash the process; the next query reports the problem.
  pool.on('error', () => {});
  const location = describePostgresUrl(url);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    const reason =
      error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
    throw new DatabaseUnavailableError(`Impossible de joindre la base PostgreSQL ${location} (${reason}).`);
  }
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  return {
    driver: 'postgres',
    location,
    db,
    bulk: new PostgresBulkLoader(pool),
    async withLock(name, fn) {
      const client = await pool.connect();
      const key = lockKey(name);
      try {
        await client.query('select pg_advisory_lock($1::bigint)', [key]);
        try {
          return await fn();
        } finally {
          await client.query('select pg_advisory_unlock($1::bigint)', [key]);
        }
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}

async function openPGlite(dir: string): Promise<Database> {
  const inMemory = dir.startsWith('memory://');
  let releaseDirectory = () => {};
  if (!inMemory) {
    mkdirSync(dir, { recursive: true });
    releaseDirectory = claimDirectory(dir);
  }
  let pglite: PGlite;
  try {
    if (!inMemory && !existsSync(join(dir, 'PG_VERSION'))) await createInChild(dir);
    pglite = await PGlite.create(inMemory ? undefined : dir, {
      extensions: { pg_trgm, unaccent },
      // PostgreSQL runs in the process's WebAssembly memory, whose pages count in its resident memory once touched:
      // with 32 MB each, a national import peaked at 480–544 MB, with 16 MB at 412–457 MB, no slower.
      postgresqlconf: ['shared_buffers = 16MB', 'maintenance_work_mem = 16MB'],
      parsers: { [INT8]: parseInt8 },
    });
  } catch (error) {
    releaseDirectory();
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseUnavailableError(`Impossible d’ouvrir la base embarquée ${dir} (${reason}).`);
  }
  const connection = new Mutex();
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(pglite, connection) });
  const locks = new Map<string, Mutex>();
  return {
    driver: 'pglite',
    location: inMemory ? 'mémoire' : dir,
    db,
    bulk: new PGliteBulkLoader(pglite, connection),
    // One process owns a PGlite directory, so an in-process lock is a cross-process lock here.
    withLock(name, fn) {
      const mutex = locks.get(name) ?? new Mutex();
      locks.set(name, mutex);
      return mutex.run(fn);
    },
    async close() {
      await db.destroy();
      await pglite.close();
      releaseDirectory();
    },
  };
}

/**
 * Creating a database runs initdb in PGlite's WebAssembly memory, which the process then keeps for its whole life
 * (about 900 MB resident against 370 MB for opening an existing database): a short-lived process creates it.
 */
async function createInChild(dir: string): Promise<void> {
  const create =
    'const { PGlite } = await import(process.argv[1]); await (await PGlite.create(process.argv[2])).close();';
  await promisify(execFile)(process.execPath, [
    '--input-type=module',
    '-e',
    create,
    import.meta.resolve('@electric-sql/pglite'),
    dir,
  ]);
}

/**
 * PGlite does not guard its directory against a second process, which would corrupt it: a pid file does.
 * A file left by a dead process is taken over.
 */
function claimDirectory(dir: string): () => void {
  const file = join(dir, 'confiance.pid');
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(file, 'utf8'));
  } catch {}
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new DatabaseUnavailableError(
      `La base embarquée ${dir} est déjà ouverte par le processus ${holder} : arrêtez-le ou utilisez PostgreSQL (DATABASE_URL).`,
    );
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}
