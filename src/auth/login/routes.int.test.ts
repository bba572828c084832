import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { addTestDui, duiLogin } from '../../../test/dui-login.ts';
import { HttpSession } from '../../../test/http-session.ts';
import {
  countAudit,
  fixtureEgs,
  rppsIdNat,
  seedOrganisationDirectory,
} from '../../../test/organisation-fixture.ts';
import { freePort } from '../../../test/ports.ts';
import { loadConfig } from '../../config.ts';
import { type RunningPscEmulator, startPscEmulator } from '../../sandbox/psc.ts';
import { type RunningServer, startServer } from '../../server.ts';

const duiRedirect = 'http://127.0.0.1:9/callback';
let t: TestDatabase;
let psc: RunningPscEmulator;
let server: RunningServer;
let base: string;
let dui: { clientId: string; clientSecret: string };

beforeAll(async () => {
  t = await createTestDatabase('pglite');
  await seedOrganisationDirectory(t.database);
  // Anne DUPONT also works at the IME: two situations d'exercice to choose from.
  await sql`insert into dir_activity (key, id_nat, nom_exercice, prenom_exercice, finess_site, finess_ej, raison_sociale,
      profession_code, row_hash, created_import, changed_import, changed_at)
    values ('dupont-ime', ${rppsIdNat('1000000001')}, 'DUPONT', 'Anne', ${fixtureEgs[1]}, '690000011', 'IME LES SOURCES',
      '60', 'x', 1, 1, now())`.execute(t.database.db);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  psc = await startPscEmulator({
    database: t.database,
    clients: [
      { clientId: 'confiance', clientSecret: 'secret-psc', redirectUris: [`${base}/connexion/psc/retour`] },
    ],
  });
  server = await startServer(
    loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      CONFIANCE_BASE_URL: base,
      LOG_LEVEL: 'warn',
      CONFIANCE_DATA_DIR: join(tmpdir(), 'confiance-test-login'),
    }),
    t.database,
    { psc: { discoveryUrl: psc.discoveryUrl, clientId: 'confiance', clientSecret: 'secret-psc' } },
  );
  dui = await addTestDui(t.database, { name: 'DUI de test', redirectUri: duiRedirect });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await psc?.close();
});

const startLogin = () =>
  duiLogin({
    issuer: `${base}/oidc`,
    ...dui,
    redirectUri: duiRedirect,
    scope: 'openid profile professionnel',
  });

it('logs a professional into a DUI through Pro Santé Connect, with the situation d’exercice chosen', async () => {
  const login = await startLogin();
  const browser = new HttpSession();
  const choice = await browser.follow(login.url.href);
  const choicePage = await choice.res.text();
  expect(choicePage).toContain('Se connecter à DUI de test');
  const action = /action="(\/connexion\/[^"]+\/psc)"/.exec(choicePage)?.[1];
  expect(action).toBeTruthy();
  const wallet = await browser.postForm(`${base}${action}`, {});
  expect(await wallet.res.text()).toContain('Pro Santé Connect — bac à sable');
  const situation = await browser.postForm(wallet.url, { autre: rppsIdNat('1000000001'), moyen: 'MOBILE' });
  const situationPage = await situation.res.text();
  expect(situationPage).toContain('Pour quelle structure vous connectez-vous ?');
  expect(situationPage).toContain('IME LES SOURCES');
  expect(situationPage).toContain('vérifiée dans l’annuaire');
  const keys = [...situationPage.matchAll(/name="situation" value="([^"]+)"/g)].map((m) => m[1] as string);
  expect(keys.length).toBe(2);
  const ime = /value="([^"]+)"> IME LES SOURCES/.exec(situationPage)?.[1] ?? keys[1];
  const back = await browser.postForm(situation.url, { situation: ime as string }, (l) =>
    l.startsWith(duiRedirect),
  );
  const tokens = await login.redeem(new URL(back.url));
  const claims = tokens.claims();
  expect(claims?.acr).toBe('eidas1');
  expect(claims?.amr).toEqual(['mfa', 'otp']);
  const info = await oidc.fetchUserInfo(login.config, tokens.access_token, claims?.sub as string);
  expect(info).toMatchObject({
    idnat_ps: rppsIdNat('1000000001'),
    rpps: rppsIdNat('1000000001').slice(1),
    nom_exercice: 'DUPONT',
    prenom_exercice: 'Anne',
    situation: { finess_eg: fixtureEgs[1], raison_sociale: 'IME LES SOURCES', verifiee_annuaire: true },
    moyen: { identifiant: 'psc-e-cps', fournisseur: 'Pro Santé Connect', authMode: 'MOBILE', acr: 'eidas1' },
  });
  expect(info.sub).not.toBe(rppsIdNat('1000000001'));
  expect(tokens.refresh_token).toBeTruthy();
  // The refresh token lasts the idle limit (30 min), and is rotated at each use.
  const ttl = await sql<{
    s: number;
  }>`select extract(epoch from expires_at - now())::int as s from oidc_payload
    where model = 'RefreshToken'`.execute(t.database.db);
  expect(ttl.rows[0]?.s).toBeGreaterThan(1700);
  expect(ttl.rows[0]?.s).toBeLessThanOrEqual(1800);
  const refreshed = await oidc.refreshTokenGrant(login.config, tokens.refresh_token as string);
  expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  await expect(oidc.refreshTokenGrant(login.config, tokens.refresh_token as string)).rejects.toMatchObject({
    error: 'invalid_grant',
  });
  expect(await countAudit(t.database, 'auth.login')).toBe(1);

  // The same person again, by card: the same account (keyed by the national identifier).
  const again = await startLogin();
  const b2 = new HttpSession();
  const c2 = await b2.follow(again.url.href);
  const a2 = /action="(\/connexion\/[^"]+\/psc)"/.exec(await c2.res.text())?.[1];
  const w2 = await b2.postForm(`${base}${a2}`, {});
  await w2.res.text();
  const s2 = await b2.postForm(w2.url, { autre: rppsIdNat('1000000001'), moyen: 'CARD' });
  const p2 = await s2.res.text();
  const first = /name="situation" value="([^"]+)"/.exec(p2)?.[1] as string;
  const back2 = await b2.postForm(s2.url, { situation: first }, (l) => l.startsWith(duiRedirect));
  const t2 = await again.redeem(new URL(back2.url));
  expect(t2.claims()?.sub).toBe(claims?.sub);
  expect(t2.claims()?.acr).toBe('eidas2');
});

it('refuses a PSC return with an unknown or replayed state, in French, audited', async () => {
  const res = await fetch(`${base}/connexion/psc/retour?state=inconnu&code=abc`);
  expect(res.status).toBe(400);
  expect(await res.text()).toContain('ne correspond à aucune connexion en cours');
  const denied = await sql<{ n: number }>`select count(*)::int as n from audit_event
    where action = 'auth.login' and outcome = 'denied'`.execute(t.database.db);
  expect(denied.rows[0]?.n).toBeGreaterThanOrEqual(1);
});

it('pre-selects the situation at the structure the DUI serves', async () => {
  const ime = await addTestDui(t.database, {
    name: 'DUI de l’IME',
    redirectUri: duiRedirect,
    structureFiness: fixtureEgs[1],
  });
  const login = await duiLogin({
    issuer: `${base}/oidc`,
    clientId: ime.clientId,
    clientSecret: ime.clientSecret,
    redirectUri: duiRedirect,
    scope: 'openid profile professionnel',
  });
  const browser = new HttpSession();
  const choice = await browser.follow(login.url.href);
  const action = /action="(\/connexion\/[^"]+\/psc)"/.exec(await choice.res.text())?.[1];
  const wallet = await browser.postForm(`${base}${action}`, {});
  await wallet.res.text();
  const situation = await browser.postForm(wallet.url, { autre: rppsIdNat('1000000001'), moyen: 'MOBILE' });
  const page = await situation.res.text();
  expect(page).toMatch(/checked> IME LES SOURCES/);
});
