import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { addTestDui, duiLogin } from '../../../test/dui-login.ts';
import { HttpSession } from '../../../test/http-session.ts';
import { countAudit } from '../../../test/organisation-fixture.ts';
import { freePort } from '../../../test/ports.ts';
import { loadConfig } from '../../config.ts';
import { type RunningFranceConnect, startFranceConnectEmulator } from '../../sandbox/franceconnect.ts';
import { type RunningServer, startServer } from '../../server.ts';

const duiRedirect = 'http://127.0.0.1:9/callback';
let t: TestDatabase;
let fc: RunningFranceConnect;
let server: RunningServer;
let base: string;
let dui: { clientId: string; clientSecret: string };

beforeAll(async () => {
  t = await createTestDatabase('pglite');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  fc = await startFranceConnectEmulator({
    clients: [
      {
        clientId: 'confiance-fc',
        clientSecret: 'secret-fc',
        redirectUris: [`${base}/connexion/franceconnect/retour`],
        postLogoutRedirectUris: [`${base}/`],
        jwksUri: `${base}/connexion/jwks`,
      },
    ],
  });
  server = await startServer(
    loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      CONFIANCE_BASE_URL: base,
      LOG_LEVEL: 'warn',
      CONFIANCE_DATA_DIR: join(tmpdir(), 'confiance-test-fc'),
    }),
    t.database,
    { psc: null, franceconnect: { issuer: fc.issuer, clientId: 'confiance-fc', clientSecret: 'secret-fc' } },
  );
  dui = await addTestDui(t.database, { name: 'Portail usagers', redirectUri: duiRedirect });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await fc?.close();
});

it('logs an usager in through FranceConnect+ (signed and encrypted tokens) and gives the DUI the identité pivot', async () => {
  const login = await duiLogin({
    issuer: `${base}/oidc`,
    ...dui,
    redirectUri: duiRedirect,
    scope: 'openid profile usager',
  });
  const { config, url } = login;
  const browser = new HttpSession();
  const choice = await browser.follow(url.href);
  const page = await choice.res.text();
  expect(page).toContain('FranceConnect+');
  expect(page).not.toContain('Pro Santé Connect');
  const action = /action="(\/connexion\/[^"]+\/franceconnect)"/.exec(page)?.[1];
  const idp = await browser.postForm(`${base}${action}`, {});
  expect(await idp.res.text()).toContain('FranceConnect+ — bac à sable');
  // The first person is a public INSi test identity (ADRTROIS Dominique), born in Corsica.
  const back = await browser.postForm(idp.url, { personne: '0', fournisseur: 'eidas2' }, (l) =>
    l.startsWith(duiRedirect),
  );
  const tokens = await login.redeem(new URL(back.url));
  expect(tokens.claims()?.acr).toBe('eidas2');
  const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub as string);
  expect(info).toMatchObject({
    family_name: 'ADRTROIS',
    given_name: 'Dominique',
    birthdate: '1997-02-26',
    gender: 'female',
    birthplace: '2A020',
    birthcountry: '99100',
    moyen: { identifiant: 'fc-plus', fournisseur: 'FranceConnect+', acr: 'eidas2' },
  });
  expect(await countAudit(t.database, 'auth.login')).toBe(1);
});

it('publishes the hub’s encryption key without its private part', async () => {
  const jwks = (await (await fetch(`${base}/connexion/jwks`)).json()) as {
    keys: Array<Record<string, string>>;
  };
  expect(jwks.keys).toHaveLength(1);
  expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RSA-OAEP', use: 'enc' });
  expect(jwks.keys[0]).not.toHaveProperty('d');
});

it('logs an aidant in as an account of its own, with the same identity pivot', async () => {
  const login = await duiLogin({
    issuer: `${base}/oidc`,
    ...dui,
    redirectUri: duiRedirect,
    scope: 'openid profile aidant',
  });
  const { config, url } = login;
  const browser = new HttpSession();
  const choice = await browser.follow(url.href);
  const action = /action="(\/connexion\/[^"]+\/franceconnect)"/.exec(await choice.res.text())?.[1];
  const idp = await browser.postForm(`${base}${action}`, {});
  await idp.res.text();
  const back = await browser.postForm(idp.url, { personne: '0', fournisseur: 'eidas2' }, (l) =>
    l.startsWith(duiRedirect),
  );
  const tokens = await login.redeem(new URL(back.url));
  const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub as string);
  expect(info).toMatchObject({ public: 'aidant', family_name: 'ADRTROIS' });
  const kinds = await sql<{ kind: string }>`select kind from oidc_account order by kind`.execute(
    t.database.db,
  );
  expect(kinds.rows.map((r) => r.kind)).toEqual(['aidant', 'usager']);
});
