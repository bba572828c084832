import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createTestDatabase } from '../../test/databases.ts';
import { seedOpenOrganisation } from '../../test/organisation-fixture.ts';
import { loadDashboard } from './dashboard.ts';
import { ensureDemoOrganisation } from './demo.ts';

it('fills the demo with an organisme of three EGs at three stages, once', async () => {
  const t = await createTestDatabase('pglite');
  try {
    expect(await ensureDemoOrganisation(t.database, null)).toBeNull();
    await seedOpenOrganisation(t.database);
    const ej = await ensureDemoOrganisation(t.database, null);
    expect(ej).toBe('130000011');
    expect(await ensureDemoOrganisation(t.database, null)).toBeNull();
    const d = await loadDashboard(t.database, '130000011');
    const statuses = d.establishments.map((e) => e.readiness.services.map((s) => s.status));
    const missing = d.establishments.map((e) =>
      e.readiness.services.reduce((n, s) => n + s.missing.length, 0),
    );
    expect(statuses[0]).not.toContain('bloque');
    expect(statuses[1]).not.toContain('bloque');
    expect(missing[0]).toBeLessThan(missing[1] ?? 0);
    expect(statuses[2]).toEqual(['bloque', 'bloque', 'bloque', 'bloque', 'bloque']);
    expect(d.certificates.map((c) => c.usage).sort()).toEqual(['dmp-auth', 'dmp-sign', 'insi']);
    expect(d.certificates.find((c) => c.usage === 'dmp-auth')?.alert).toBe(30);
    expect(d.staff.length).toBe(72);
    const usagers = await sql<{ n: number }>`select count(*)::int as n from usager`.execute(t.database.db);
    expect(usagers.rows[0]?.n).toBe(12);
  } finally {
    await t.drop();
  }
}, 60_000);
