import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { type Database, lockKey } from './connect.ts';

export const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function readMigrations(dir = migrationsDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const match = fileName.exec(file);
      if (!match?.[1] || !match[2])
        throw new MigrationError(`Nom de migration invalide : ${file} (attendu NNNN_nom.sql)`);
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      return {
        version: Number(match[1]),
        name: match[2],
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new MigrationError(`Migrations non consécutives : ${m.version} en position ${i + 1}`);
  });
  return migrations;
}

let bundled: Migration[] | undefined;

/** The migrations shipped with this version, read once: the console and /health ask for them on every request. */
export function bundledMigrations(): Migration[] {
  bundled ??= readMigrations();
  return bundled;
}

export interface MigrationResult {
  newlyApplied: string[];
  latest: number;
}

export interface MigrationStatus {
  applied: number[];
  pending: number[];
  latest: number;
}

/**
 * Applies pending migrations in one transaction, under a transaction-scoped advisory lock so that instances
 * starting together do not race. An applied migration whose file changed since is refused.
 */
export async function migrate(
  database: Database,
  migrations = bundledMigrations(),
): Promise<MigrationResult> {
  return database.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${lockKey('migrations')}::bigint)`.execute(trx);
    await sql`create table if not exists schema_migration (
      version integer primary key, name text not null, checksum text not null,
      applied_at timestamptz not null default now())`.execute(trx);
    const rows = await trx.selectFrom('schema_migration').selectAll().orderBy('version').execute();
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const migration = known.get(row.version);
      if (!migration)
        throw new MigrationError(
          `La base contient la migration ${row.version} (${row.name}) inconnue de cette version de Confiance : mettez Confiance à jour.`,
        );
      if (migration.checksum !== row.checksum)
        throw new MigrationError(
          `La migration ${String(row.version).padStart(4, '0')}_${row.name}.sql a été modifiée après son application.`,
        );
    }
    const done = new Set(rows.map((r) => r.version));
    const pending = migrations.filter((m) => !done.has(m.version));
    for (const m of pending) {
      await sql.raw(m.sql).execute(trx);
      await trx
        .insertInto('schema_migration')
        .values({ version: m.version, name: m.name, checksum: m.checksum })
        .execute();
    }
    return {
      newlyApplied: pending.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`),
      latest: migrations.at(-1)?.version ?? 0,
    };
  });
}

/** Read-only view for the console and /health. */
export async function migrationStatus(
  database: Database,
  migrations = bundledMigrations(),
): Promise<MigrationStatus> {
  const exists = await sql<{ ok: boolean }>`select to_regclass('schema_migration') is not null as ok`.execute(
    database.db,
  );
  const applied = exists.rows[0]?.ok
    ? (await database.db.selectFrom('schema_migration').select('version').orderBy('version').execute()).map(
        (r) => r.version,
      )
    : [];
  const done = new Set(applied);
  return {
    applied,
    pending: migrations.filter((m) => !done.has(m.version)).map((m) => m.version),
    latest: migrations.at(-1)?.version ?? 0,
  };
}
