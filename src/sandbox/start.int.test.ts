import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startAnnuaireSandbox } from './start.ts';

it('starts the emulated Annuaire Santé API on a synthetic directory, reusing its generation', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'confiance-sandbox-'));
  for (let run = 0; run < 2; run++) {
    const sandbox = await startAnnuaireSandbox({ dataDir, port: 0, apiKey: 'bac-a-sable', profile: 'small' });
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/v2$/);
      const res = await fetch(`${sandbox.url}/Practitioner?_count=1&_total=accurate`, {
        headers: { 'ESANTE-API-KEY': 'bac-a-sable' },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { total: number }).total).toBe(3000);
    } finally {
      await sandbox.close();
    }
  }
}, 120_000);
