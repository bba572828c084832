import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { rppsIdNat } from '../../../test/organisation-fixture.ts';
import { enrolLocalAccount } from '../local/accounts.ts';
import { createEnrolmentLink } from '../local/security-keys.ts';

let s: TestApp;
beforeAll(async () => {
  s = await createTestApp('pglite');
  await enrolLocalAccount(
    s.t.database,
    s.ctx.sessionSecret,
    { idNat: rppsIdNat('1000000001'), nom: 'DUPONT', prenom: 'Anne' },
    'test',
  );
}, 30_000);
afterAll(async () => s?.close());

const answer = {
  response: { id: 'x', rawId: 'x', type: 'public-key', response: {}, clientExtensionResults: {} },
};

it('serves the enrolment page and its options for a valid link only, and refuses an answer without a challenge', async () => {
  const token = await createEnrolmentLink(s.t.database, rppsIdNat('1000000001'));
  const page = await s.app.inject({ url: `/connexion/cle/${token}` });
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('<script src="/assets/webauthn.js" defer></script>');
  const options = await s.app.inject({ method: 'POST', url: `/connexion/cle/${token}/options`, payload: {} });
  expect(options.json()).toMatchObject({
    rp: { name: 'Confiance' },
    user: { name: rppsIdNat('1000000001') },
  });
  const unknown = 'y'.repeat(32);
  expect((await s.app.inject({ url: `/connexion/cle/${unknown}` })).body).toContain('Lien expiré');
  expect(
    (await s.app.inject({ method: 'POST', url: `/connexion/cle/${unknown}/options`, payload: {} }))
      .statusCode,
  ).toBe(404);
  const noChallenge = await s.app.inject({
    method: 'POST',
    url: `/connexion/cle/${unknown}`,
    payload: answer,
  });
  expect(noChallenge.statusCode).toBe(400);
  expect(noChallenge.json().message).toContain('Demande expirée');
});

it('refuses key logins outside a pending interaction, and malformed answers', async () => {
  const options = await s.app.inject({
    method: 'POST',
    url: '/connexion/interactioninconnue/cle/options',
    payload: { idnat: '8' },
  });
  expect(options.statusCode).toBe(400);
  expect(options.json().message).toContain('Demande de connexion expirée');
  const malformed = await s.app.inject({
    method: 'POST',
    url: '/connexion/interactioninconnue/cle',
    payload: { response: { id: 1 } },
  });
  expect(malformed.statusCode).toBe(400);
});
