import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import { migrate, migrationStatus, readMigrations } from './migrate.ts';

function migrationsFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'confiance-migrations-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describeEachDriver('migrations', (driver) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(driver, { migrate: false });
  });
  afterEach(() => t.drop());

  it('applies every migration once, then nothing', async () => {
    const first = await migrate(t.database);
    expect(first.newlyApplied[0]).toBe('0001_audit');
    expect(await migrate(t.database)).toEqual({ newlyApplied: [], latest: first.latest });
    const status = await migrationStatus(t.database);
    expect(status.pending).toEqual([]);
    expect(status.applied.length).toBe(readMigrations().length);
  });

  it('runs a multi-statement file atomically: a failing migration leaves nothing behind', async () => {
    const dir = migrationsFolder({
      '0001_a.sql': 'create table a (x int); insert into a values (1);',
      '0002_b.sql': 'create table b (x int); select 1/0;',
    });
    await expect(migrate(t.database, readMigrations(dir))).rejects.toThrow(/division by zero/);
    const tables = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_tables where tablename in ('a','b')`.execute(t.database.db);
    expect(tables.rows[0]?.n).toBe(0);
  });

  it('refuses a migration changed after it was applied', async () => {
    await migrate(t.database, readMigrations(migrationsFolder({ '0001_a.sql': 'create table a (x int);' })));
    const changed = readMigrations(migrationsFolder({ '0001_a.sql': 'create table a (x bigint);' }));
    await expect(migrate(t.database, changed)).rejects.toThrow(/0001_a\.sql a été modifiée/);
  });

  it('refuses a database newer than the code', async () => {
    await migrate(
      t.database,
      readMigrations(migrationsFolder({ '0001_a.sql': 'select 1;', '0002_b.sql': 'select 2;' })),
    );
    await expect(
      migrate(t.database, readMigrations(migrationsFolder({ '0001_a.sql': 'select 1;' }))),
    ).rejects.toThrow(/inconnue de cette version/);
  });
});

it('rejects badly named or non-consecutive migration files', () => {
  expect(() => readMigrations(migrationsFolder({ '1_a.sql': '' }))).toThrow(/Nom de migration invalide/);
  expect(() => readMigrations(migrationsFolder({ '0001_a.sql': '', '0003_c.sql': '' }))).toThrow(
    /non consécutives/,
  );
});
