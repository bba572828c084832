import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver } from '../test/databases.ts';
import { appendEvents } from './audit/append.ts';
import { readMigrations } from './db/migrate.ts';

const bin = fileURLToPath(new URL('../bin/confiance.js', import.meta.url));

function confiance(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    // Vite exports BASE_URL and friends into the environment; the CLI gets a clean one.
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(CONFIANCE_|DATABASE_URL|PORT|HOST)/.test(k)),
    );
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...clean, LOG_LEVEL: 'warn', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('confiance CLI', () => {
  it('gives French help', async () => {
    const { code, stdout } = await confiance(['audit', 'verify', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Utilisation : confiance audit verify');
    expect(stdout).toContain('afficher l’aide');
  });

  it('stops with a French line naming the variable on bad configuration', async () => {
    const { code, stderr } = await confiance(['db', 'status'], { PORT: 'huit' });
    expect(code).toBe(78);
    expect(stderr).toContain('PORT = « huit » n’est pas valide');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('stops with one French line when the database cannot be reached', async () => {
    const { code, stderr } = await confiance(['serve'], {
      DATABASE_URL: 'postgres://root@127.0.0.1:1/nowhere',
    });
    expect(code).toBe(69);
    expect(stderr.trim().split('\n')).toEqual([
      'Base de données indisponible : Impossible de joindre la base PostgreSQL 127.0.0.1:1/nowhere (ECONNREFUSED).',
    ]);
  });

  it('migrates, reports status and refuses a second process on the same embedded database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'confiance-cli-'));
    const migrate = await confiance(['db', 'migrate'], { CONFIANCE_DATA_DIR: dataDir });
    expect(migrate.stdout).toContain(
      `Migrations appliquées : ${readMigrations()
        .map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`)
        .join(', ')}`,
    );
    expect((await confiance(['db', 'migrate'], { CONFIANCE_DATA_DIR: dataDir })).stdout).toContain(
      'Schéma à jour',
    );
    expect((await confiance(['db', 'status'], { CONFIANCE_DATA_DIR: dataDir })).stdout).toContain(
      `Migrations appliquées : ${readMigrations().length} / ${readMigrations().length}`,
    );
    const { openDatabase } = await import('./db/connect.ts');
    const held = await openDatabase({ pgliteDir: join(dataDir, 'pglite') });
    try {
      const second = await confiance(['db', 'status'], { CONFIANCE_DATA_DIR: dataDir });
      expect(second.code).toBe(69);
      expect(second.stderr).toContain(`déjà ouverte par le processus ${process.pid}`);
    } finally {
      await held.close();
    }
  });
});

describeEachDriver('confiance audit verify', (driver) => {
  it('names exactly the tampered event and exits with 2', async () => {
    const t = await createTestDatabase(driver);
    const dataDir = mkdtempSync(join(tmpdir(), 'confiance-verify-'));
    try {
      await appendEvents(
        t.database,
        Array.from({ length: 30 }, (_, i) => ({
          action: 'test.cli',
          outcome: 'success' as const,
          actor: { kind: 'system' as const },
          details: { i },
        })),
      );
      let env: Record<string, string> = { CONFIANCE_DATA_DIR: dataDir };
      if (driver === 'postgres') env = { ...env, DATABASE_URL: t.url ?? '' };
      else {
        // The embedded database is owned by one process: hand this one's data over through a directory.
        await t.database.close();
        const { openDatabase } = await import('./db/connect.ts');
        const { migrate } = await import('./db/migrate.ts');
        const onDisk = await openDatabase({ pgliteDir: join(dataDir, 'pglite') });
        await migrate(onDisk);
        await appendEvents(
          onDisk,
          Array.from({ length: 30 }, (_, i) => ({
            action: 'test.cli',
            outcome: 'success' as const,
            actor: { kind: 'system' as const },
            details: { i },
          })),
        );
        await onDisk.close();
      }
      const intact = await confiance(['audit', 'verify'], env);
      expect(intact.code).toBe(0);
      expect(intact.stdout).toMatch(/Chaîne d’audit intègre : 30 événements vérifiés/);

      const tamper = `alter table audit_event disable trigger audit_event_no_update;
        update audit_event set outcome = 'failure' where seq = 17;
        alter table audit_event enable trigger audit_event_no_update`;
      if (driver === 'postgres') await sql.raw(tamper).execute(t.database.db);
      else {
        const { openDatabase } = await import('./db/connect.ts');
        const onDisk = await openDatabase({ pgliteDir: join(dataDir, 'pglite') });
        await sql.raw(tamper).execute(onDisk.db);
        await onDisk.close();
      }
      const broken = await confiance(['audit', 'verify'], env);
      expect(broken.code).toBe(2);
      expect(broken.stdout).toContain(
        'ROMPUE à l’événement n° 17 : le contenu ne correspond plus à son empreinte',
      );
      expect(broken.stdout).toContain('Événements 1 à 16 intègres');
    } finally {
      await t.drop().catch(() => {});
    }
  });
});
