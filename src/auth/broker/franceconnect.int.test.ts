import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpSession } from '../../../test/http-session.ts';
import { type RunningFranceConnect, startFranceConnectEmulator } from '../../sandbox/franceconnect.ts';
import { FranceConnectBroker } from './franceconnect.ts';

const redirect = 'http://127.0.0.1:9/retour';
let fc: RunningFranceConnect;
let privateJwk: JWK;
let jwks: ReturnType<typeof createServer>;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RSA-OAEP', { extractable: true });
  privateJwk = { ...(await exportJWK(privateKey)), kid: 'hub-enc', alg: 'RSA-OAEP', use: 'enc' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'hub-enc', alg: 'RSA-OAEP', use: 'enc' };
  jwks = createServer((_req, res) => res.end(JSON.stringify({ keys: [publicJwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks`;
  fc = await startFranceConnectEmulator({
    clients: [
      { clientId: 'c', clientSecret: 's', redirectUris: [redirect], postLogoutRedirectUris: [], jwksUri },
    ],
  });
}, 30_000);
afterAll(async () => {
  await fc?.close();
  jwks?.close();
});

const loginAs = async (
  broker: FranceConnectBroker,
  asked: 'eidas2' | 'eidas3',
  given: 'eidas2' | 'eidas3',
) => {
  const { url, pending } = await broker.start(asked);
  const browser = new HttpSession();
  const page = await browser.follow(url);
  await page.res.text();
  const back = await browser.postForm(page.url, { personne: '2', fournisseur: given }, (l) =>
    l.startsWith(redirect),
  );
  return broker.finish(new URL(back.url), pending);
};

it('decrypts the identité pivot, and refuses a level lower than asked', async () => {
  const broker = new FranceConnectBroker(
    { issuer: fc.issuer, clientId: 'c', clientSecret: 's' },
    redirect,
    async () => privateJwk,
  );
  const identity = await loginAs(broker, 'eidas2', 'eidas2');
  expect(identity).toMatchObject({ acr: 'eidas2', familyName: 'CORSE', birthcountry: '99100' });
  expect(identity.sub).toMatch(/^[0-9a-f]{64}v1$/);
  await expect(loginAs(broker, 'eidas3', 'eidas2')).rejects.toMatchObject({ code: 'acr' });
});
