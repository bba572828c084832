import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createTestDatabase } from '../../test/databases.ts';
import { startInsiSandbox } from '../sandbox/start.ts';
import { ensureDemoUsagers } from './demo.ts';
import { qualificationShares } from './usagers.ts';
import { reviewQueue } from './vigilance.ts';

it('fills the demo with usagers at every status and a pair to review, once', async () => {
  const t = await createTestDatabase('pglite');
  const insi = await startInsiSandbox({ dataDir: mkdtempSync(join(tmpdir(), 'confiance-demo-usagers-')) });
  try {
    expect(await ensureDemoUsagers(t.database, insi.client)).toBe(25);
    expect(await ensureDemoUsagers(t.database, insi.client)).toBe(0);
    const shares = await qualificationShares(t.database);
    const total = (s: 'PROV' | 'VALI' | 'QUAL' | 'RECUP') => shares.reduce((n, x) => n + x.byStatus[s], 0);
    expect(total('PROV')).toBeGreaterThan(0);
    expect(total('VALI')).toBeGreaterThan(0);
    expect(total('QUAL')).toBeGreaterThan(0);
    expect(total('RECUP')).toBeGreaterThan(0);
    expect((await reviewQueue(t.database)).length).toBeGreaterThanOrEqual(1);
  } finally {
    await insi.close();
    await t.drop();
  }
}, 90_000);
