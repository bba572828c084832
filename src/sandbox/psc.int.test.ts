import * as oidc from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { HttpSession } from '../../test/http-session.ts';
import { fixtureEgs, rppsIdNat, seedOrganisationDirectory } from '../../test/organisation-fixture.ts';
import { type RunningPscEmulator, startPscEmulator } from './psc.ts';

let t: TestDatabase;
let psc: RunningPscEmulator;
const redirect = 'http://127.0.0.1:9/callback';

beforeAll(async () => {
  t = await createTestDatabase('pglite');
  await seedOrganisationDirectory(t.database);
  psc = await startPscEmulator({
    database: t.database,
    clients: [{ clientId: 'confiance', clientSecret: 'secret-du-bac-a-sable', redirectUris: [redirect] }],
  });
}, 60_000);
afterAll(async () => {
  await psc?.close();
  await t?.drop();
});

it('answers discovery only under its own name, with the authorization endpoint on the wallet host', async () => {
  expect((await fetch(`${psc.issuer}/.well-known/openid-configuration`)).status).toBe(404);
  const d = (await (await fetch(psc.discoveryUrl)).json()) as Record<string, string>;
  expect(d.issuer).toBe(psc.issuer);
  expect(d.authorization_endpoint).toBe(psc.walletUrl);
  expect(d.token_endpoint).toBe(`${psc.issuer}/protocol/openid-connect/token`);
  expect(d.userinfo_endpoint).toBe(`${psc.issuer}/protocol/openid-connect/userinfo`);
  expect(new URL(d.authorization_endpoint as string).port).not.toBe(new URL(psc.issuer).port);
});

it('logs a professional in with e-CPS and returns the userinfo built from the directory', async () => {
  const config = await oidc.discovery(
    new URL(psc.discoveryUrl),
    'confiance',
    'secret-du-bac-a-sable',
    undefined,
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    scope: 'openid scope_all',
    acr_values: 'eidas1',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new HttpSession();
  const { res, url: pageUrl } = await browser.follow(url.href);
  expect(await res.text()).toContain('Pro Santé Connect — bac à sable');
  const back = await browser.postForm(
    pageUrl,
    { idnat: '', autre: rppsIdNat('1000000001'), moyen: 'MOBILE' },
    (l) => l.startsWith(redirect),
  );
  const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const claims = tokens.claims();
  expect(claims?.acr).toBe('eidas1');
  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims?.sub as string);
  expect(info).toMatchObject({
    SubjectNameID: rppsIdNat('1000000001'),
    family_name: 'DUPONT',
    given_name: 'Anne',
    authMode: 'MOBILE',
    SubjectRefPro: {
      exercices: [{ nomDexercice: 'DUPONT', activities: [{ numeroFinessSite: fixtureEgs[0] }] }],
    },
  });
  expect(info.sub).not.toBe(rppsIdNat('1000000001'));
  await expect(
    oidc.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    }),
  ).rejects.toMatchObject({ error: 'invalid_grant' });
});

it('refuses a wrong client secret', async () => {
  const wrong = await oidc.discovery(new URL(psc.discoveryUrl), 'confiance', 'faux', undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  await expect(
    oidc.authorizationCodeGrant(
      wrong,
      new URL(`${redirect}?code=abc&iss=${encodeURIComponent(psc.issuer)}`),
      {
        expectedState: oidc.skipStateCheck,
      },
    ),
  ).rejects.toThrow();
});
