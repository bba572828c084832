import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { databaseAdapter } from '../oidc/adapter.ts';
import { pscIdTokens } from './psc-logout.ts';

let s: TestApp;
beforeAll(async () => {
  s = await createTestApp('pglite');
}, 30_000);
afterAll(async () => s?.close());

it('hands a PSC id_token over once, and sends the browser back to the DUI after PSC’s logout', async () => {
  const tokens = pscIdTokens(s.ctx);
  await tokens.keep('sub-1', 'jeton-psc', 60);
  expect(await tokens.take('sub-1')).toBe('jeton-psc');
  expect(await tokens.take('sub-1')).toBeNull();
  await new (databaseAdapter(s.t.database))('PscLogout').upsert(
    'etat',
    { next: 'https://dui.exemple.fr/' },
    60,
  );
  const back = await s.app.inject({ url: '/connexion/psc/deconnexion?state=etat' });
  expect(back.statusCode).toBe(303);
  expect(back.headers.location).toBe('https://dui.exemple.fr/');
  const again = await s.app.inject({ url: '/connexion/psc/deconnexion?state=etat' });
  expect(again.headers.location).toBe('/');
});
