import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createTestDatabase, describePostgres } from '../../../test/databases.ts';
import { generateDirectory } from '../generate/generate.ts';
import { importDirectory } from './import.ts';

const bin = fileURLToPath(new URL('../../../bin/confiance.js', import.meta.url));

// PGlite belongs to one process, so another cannot watch it mid-load; the crash is shown on PostgreSQL.
describePostgres('directory import killed mid-load', () => {
  it('leaves the previous generation intact, and the next import succeeds', {
    timeout: 180_000,
  }, async () => {
    const t = await createTestDatabase('postgres');
    try {
      const out = mkdtempSync(join(tmpdir(), 'confiance-crash-'));
      const [day0, day1] = await generateDirectory({
        profile: {
          persons: 40_000,
          structures: 2_000,
          departure: 0.002,
          arrival: 0.002,
          move: 0.002,
          closure: 0.001,
        },
        seed: 5,
        days: 2,
        out,
      });
      expect((await importDirectory(t.database, [day0?.dir ?? ''])).status).toBe('success');
      const snapshot = async () =>
        (
          await sql`select md5(string_agg(key || row_hash || active::text, ',' order by key)) as h, count(*)::int as n from dir_activity`.execute(
            t.database.db,
          )
        ).rows[0];
      const before = await snapshot();

      const env = { ...process.env, DATABASE_URL: t.url ?? '', LOG_LEVEL: 'silent' };
      const child = spawn(process.execPath, [bin, 'directory', 'import', day1?.dir ?? ''], {
        env,
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      // Kill it once it is provably loading: rows are arriving in staging.
      for (;;) {
        const staged = await sql<{ n: number }>`select count(*)::int as n from dir_activity_stg`.execute(
          t.database.db,
        );
        if ((staged.rows[0]?.n ?? 0) > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      expect(await snapshot()).toEqual(before);
      const next = await importDirectory(t.database, [day1?.dir ?? '']);
      expect(next.status, next.message).toBe('success');
      expect(next.resources.activity?.created).toBeGreaterThan(0);
      const statuses = await t.database.db
        .selectFrom('dir_import')
        .select(['id', 'status'])
        .orderBy('id')
        .execute();
      expect(statuses.map((s) => s.status)).toEqual(['success', 'failed', 'success']);
    } finally {
      await t.drop();
    }
  });
});
