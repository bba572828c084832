import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { duiLogin } from '../../../test/dui-login.ts';
import { HttpSession } from '../../../test/http-session.ts';
import { freePort } from '../../../test/ports.ts';
import { loadConfig } from '../../config.ts';
import { type RunningServer, startServer } from '../../server.ts';
import { resolveSessionSecret } from '../../web/session.ts';
import { enrolLocalAccount, totpCode } from '../local/accounts.ts';
import { addClient } from './clients.ts';

const redirect = 'http://127.0.0.1:9/callback';
let t: TestDatabase;
let server: RunningServer;
let base: string;
let totp: string;
const received: string[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => {
    body += c.toString();
  });
  req.on('end', () => {
    received.push(body);
    res.end();
  });
});

beforeAll(async () => {
  t = await createTestDatabase('pglite');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const dataDir = join(tmpdir(), `confiance-test-bcl-${port}`);
  server = await startServer(
    loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      CONFIANCE_BASE_URL: base,
      LOG_LEVEL: 'warn',
      CONFIANCE_DATA_DIR: dataDir,
    }),
    t.database,
    { psc: null, franceconnect: null, now: () => new Date('2025-12-15T09:00:00Z') },
  );
  totp = (
    await enrolLocalAccount(
      t.database,
      resolveSessionSecret(null, dataDir),
      { idNat: '810000000017', nom: 'DUPONT', prenom: 'Anne', password: 'Tilleul7!-Anne' },
      'test',
    )
  ).totpSecret;
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
}, 60_000);
afterAll(async () => {
  receiver.close();
  await server?.close();
});

it('tells the DUI, on its private address, that the session ended (back-channel logout)', async () => {
  const bcl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/deconnexion`;
  const dui = await addClient(
    t.database,
    {
      name: 'DUI sur site',
      redirectUris: [redirect],
      postLogoutRedirectUris: ['http://127.0.0.1:9/'],
      backchannelLogoutUri: bcl,
      auth: { method: 'client_secret_basic' },
      profile: {
        processesHealthData: true,
        shared: false,
        integratesShared: false,
        externalAccess: false,
        newUsagersPerYear: 10,
        professionalsPerYear: 5,
      },
    },
    'test',
  );
  const login = await duiLogin({
    issuer: `${base}/oidc`,
    clientId: dui.clientId,
    clientSecret: dui.clientSecret as string,
    redirectUri: redirect,
    scope: 'openid profile professionnel',
  });
  const browser = new HttpSession();
  const choice = await browser.follow(login.url.href);
  const action = /action="(\/connexion\/[^"]+\/mot-de-passe)"/.exec(await choice.res.text())?.[1];
  const back = await browser.postForm(
    `${base}${action}`,
    {
      idnat: '810000000017',
      motDePasse: 'Tilleul7!-Anne',
      code: totpCode(totp, new Date('2025-12-15T09:00:00Z')),
    },
    (l) => l.startsWith(redirect),
  );
  const tokens = await login.redeem(new URL(back.url));
  const end = await browser.follow(
    `${base}/oidc/session/end?id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent('http://127.0.0.1:9/')}`,
  );
  const page = await end.res.text();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1] as string;
  await browser.postForm(`${base}/oidc/session/end/confirm`, { xsrf, logout: 'yes' }, (l) =>
    l.startsWith('http://127.0.0.1:9/'),
  );
  await expect.poll(() => received.length, { timeout: 5000 }).toBe(1);
  const logoutToken = new URLSearchParams(received[0]).get('logout_token') as string;
  expect(decodeJwt(logoutToken)).toMatchObject({
    iss: `${base}/oidc`,
    aud: dui.clientId,
    sub: tokens.claims()?.sub,
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
  });
});
