import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { HttpSession } from '../../../test/http-session.ts';
import { rppsIdNat, seedOrganisationDirectory } from '../../../test/organisation-fixture.ts';
import { type RunningPscEmulator, startPscEmulator } from '../../sandbox/psc.ts';
import { BrokerError, PscBroker } from './psc.ts';

const redirect = 'http://127.0.0.1:9/retour';
let t: TestDatabase;
let psc: RunningPscEmulator;
let hubKey: JWK;
let jwks: ReturnType<typeof createServer>;

beforeAll(async () => {
  t = await createTestDatabase('pglite');
  await seedOrganisationDirectory(t.database);
  const { publicKey, privateKey } = await generateKeyPair('RSA-OAEP', { extractable: true });
  hubKey = { ...(await exportJWK(privateKey)), kid: 'hub', alg: 'RSA-OAEP', use: 'enc' };
  const published = { ...(await exportJWK(publicKey)), kid: 'hub', alg: 'RSA-OAEP', use: 'enc' };
  jwks = createServer((_req, res) => res.end(JSON.stringify({ keys: [published] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks`;
  psc = await startPscEmulator({
    database: t.database,
    clients: [
      { clientId: 'c', clientSecret: 's', redirectUris: [redirect] },
      { clientId: 'c-jwt', clientSecret: 's', redirectUris: [redirect], userinfo: 'jwt' },
      { clientId: 'c-jwe', clientSecret: 's', redirectUris: [redirect], userinfo: 'jwe', jwksUri },
    ],
  });
}, 30_000);
afterAll(async () => {
  jwks?.close();
  await psc?.close();
  await t?.drop();
});

const codeFor = async (broker: PscBroker, idNat: string, mode: 'CARD' | 'MOBILE') => {
  const { url, pending } = await broker.start();
  expect(new URL(url).searchParams.get('acr_values')).toBe('eidas1');
  expect(new URL(url).searchParams.get('scope')).toBe('openid scope_all');
  const browser = new HttpSession();
  const page = await browser.follow(url);
  await page.res.text();
  const back = await browser.postForm(page.url, { autre: idNat, moyen: mode }, (l) => l.startsWith(redirect));
  return { callback: new URL(back.url), pending };
};

it('reads the identity by SubjectNameID, with the card mode and the PSC id_token kept for logout', async () => {
  const broker = new PscBroker(
    { discoveryUrl: psc.discoveryUrl, clientId: 'c', clientSecret: 's' },
    redirect,
  );
  const { callback, pending } = await codeFor(broker, rppsIdNat('1000000002'), 'CARD');
  const identity = await broker.finish(callback, pending);
  expect(identity).toMatchObject({
    idNat: rppsIdNat('1000000002'),
    acr: 'eidas2',
    authMode: 'CARD',
    familyName: 'BERNARD',
  });
  expect(identity.idToken).toBeTruthy();
  expect(await broker.logoutUrl(identity.idToken as string, 'http://127.0.0.1:9/')).toContain(
    '/protocol/openid-connect/logout?',
  );
});

it('refuses a tampered state, and says when PSC cannot be reached', async () => {
  const broker = new PscBroker(
    { discoveryUrl: psc.discoveryUrl, clientId: 'c', clientSecret: 's' },
    redirect,
  );
  const { callback, pending } = await codeFor(broker, rppsIdNat('1000000001'), 'MOBILE');
  await expect(broker.finish(callback, { ...pending, state: 'autre' })).rejects.toBeInstanceOf(BrokerError);
  const down = new PscBroker(
    {
      discoveryUrl: 'http://127.0.0.1:9/.well-known/wallet-openid-configuration',
      clientId: 'c',
      clientSecret: 's',
    },
    redirect,
  );
  await expect(down.start()).rejects.toMatchObject({
    code: 'upstream',
    message: expect.stringContaining('Pro Santé Connect injoignable'),
  });
});

it.each(['c-jwt', 'c-jwe'])(
  'reads a userinfo answered as a signed, or signed and encrypted, JWT (%s)',
  async (clientId) => {
    const broker = new PscBroker(
      { discoveryUrl: psc.discoveryUrl, clientId, clientSecret: 's' },
      redirect,
      async () => hubKey,
    );
    const { callback, pending } = await codeFor(broker, rppsIdNat('1000000001'), 'MOBILE');
    expect(await broker.finish(callback, pending)).toMatchObject({
      idNat: rppsIdNat('1000000001'),
      acr: 'eidas1',
      authMode: 'MOBILE',
    });
  },
);
