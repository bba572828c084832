import { decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpSession } from '../../test/http-session.ts';
import { type RunningFranceConnect, startFranceConnectEmulator } from './franceconnect.ts';

let fc: RunningFranceConnect;
let jwksServer: { close(): void; url: string };
const redirect = 'http://127.0.0.1:9/cb';

beforeAll(async () => {
  const { publicKey } = await generateKeyPair('RSA-OAEP', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), alg: 'RSA-OAEP', use: 'enc', kid: 'sp' };
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksServer = {
    close: () => server.close(),
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`,
  };
  fc = await startFranceConnectEmulator({
    clients: [
      {
        clientId: 'sp',
        clientSecret: 'secret',
        redirectUris: [redirect],
        postLogoutRedirectUris: [],
        jwksUri: jwksServer.url,
      },
    ],
  });
}, 30_000);
afterAll(async () => {
  await fc?.close();
  jwksServer?.close();
});

const authorize = (params: Record<string, string>) =>
  `${fc.issuer}/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'sp', redirect_uri: redirect, scope: 'openid identite_pivot', ...params })}`;

it('refuses short state or nonce and an eIDAS level other than 2 or 3', async () => {
  const long = 'x'.repeat(32);
  for (const [params, message] of [
    [{ state: 'court', nonce: long, acr_values: 'eidas2' }, 'state doit compter au moins 32 caractères'],
    [{ state: long, nonce: 'court', acr_values: 'eidas2' }, 'nonce doit compter au moins 32 caractères'],
    [{ state: long, nonce: long, acr_values: 'eidas1' }, 'acr_values doit valoir eidas2 ou eidas3'],
  ] as const) {
    const res = await fetch(authorize(params));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
  }
});

it('returns an ES256-signed id_token encrypted to the service provider, with a pairwise sub', async () => {
  const long = 'y'.repeat(40);
  const browser = new HttpSession();
  const page = await browser.follow(authorize({ state: long, nonce: long, acr_values: 'eidas3' }));
  expect(await page.res.text()).toContain('ADRTROIS');
  const back = await browser.postForm(page.url, { personne: '1', fournisseur: 'eidas3' }, (l) =>
    l.startsWith(redirect),
  );
  const code = new URL(back.url).searchParams.get('code') as string;
  const res = await fetch(`${fc.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      client_id: 'sp',
      client_secret: 'secret',
    }),
  });
  const tokens = (await res.json()) as { id_token: string; expires_in: number };
  expect(tokens.expires_in).toBe(60);
  expect(tokens.id_token.split('.')).toHaveLength(5);
  expect(decodeProtectedHeader(tokens.id_token)).toMatchObject({
    alg: 'RSA-OAEP',
    enc: 'A256GCM',
    kid: 'sp',
  });
});
