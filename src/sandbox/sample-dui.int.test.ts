import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { freePort } from '../../test/ports.ts';
import { listClients } from '../auth/oidc/clients.ts';
import { ensureSampleClient, startSampleDui } from './sample-dui.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('pglite');
});
afterAll(async () => t?.drop());

it('registers the sample DUI once per address, and asks anonymous visitors to log in', async () => {
  const first = await ensureSampleClient(t.database, 'http://127.0.0.1:8081');
  expect(await ensureSampleClient(t.database, 'http://127.0.0.1:8081')).toEqual(first);
  const moved = await ensureSampleClient(t.database, 'http://127.0.0.1:9081');
  expect(moved.clientId).not.toBe(first.clientId);
  expect((await listClients(t.database)).map((c) => c.redirectUris)).toEqual([
    ['http://127.0.0.1:9081/callback'],
  ]);
  const dui = await startSampleDui({
    hubIssuer: 'http://127.0.0.1:9/oidc',
    ...moved,
    port: await freePort(),
  });
  try {
    const home = await (await fetch(`${dui.url}/`)).text();
    expect(home).toContain('Se connecter en tant qu’usager');
    expect(home).toContain('href="/login?public=aidant"');
    const stray = await fetch(`${dui.url}/callback?state=inconnu&code=x`);
    expect(stray.status).toBe(400);
  } finally {
    await dui.close();
  }
});
