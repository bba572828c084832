import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';

let s: TestApp;
beforeAll(async () => {
  s = await createTestApp('pglite');
}, 30_000);
afterAll(async () => s?.close());

it('hands /oidc requests to the provider with their body unread, and lets its pages redirect back to DUIs', async () => {
  const token = await s.app.inject({
    method: 'POST',
    url: '/oidc/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'grant_type=authorization_code&code=x&client_id=inconnu',
  });
  expect(token.statusCode).toBe(401);
  expect(token.json()).toMatchObject({ error: 'invalid_client' });
  const logout = await s.app.inject({ url: '/oidc/session/end' });
  expect(logout.statusCode).toBe(200);
  expect(String(logout.headers['content-security-policy'] ?? '')).not.toContain('form-action');
  expect((await s.app.inject({ url: '/oidc/inexistant' })).statusCode).toBe(404);
});
