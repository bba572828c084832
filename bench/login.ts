// Complete logins (authorization code + PKCE) of professionals through the hub and the PSC emulator, by
// concurrent HTTP clients without a browser; the hub's token endpoint latency, against a bare oidc-provider token
// endpoint (in-memory storage, no Fastify, same machine) measured in the same run.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import { sql } from 'kysely';
import Provider from 'oidc-provider';
import * as oidc from 'openid-client';
import type { Database } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { luhnKey } from '../src/directory/identifiers.ts';
import { startPscEmulator } from '../src/sandbox/psc.ts';
import { addTestDui } from '../test/dui-login.ts';
import { HttpSession } from '../test/http-session.ts';
import { freePort } from '../test/ports.ts';
import { benchPostgres, type Figure, percentile, report } from './lib.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '16' },
    postgres: {
      type: 'string',
      default: process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test',
    },
  },
});
const seconds = Number(values.duration);
const concurrency = Number(values.concurrency);
const say = (text: string) => process.stdout.write(`${text}\n`);
const rpps = (n: number) => {
  const body = String(1_000_000_000 + n);
  return `8${body}${luhnKey(body)}`;
};

/** 500 professionals with one situation each: the login needs no choice of situation. */
async function seed(database: Database) {
  const ids = Array.from({ length: 500 }, (_, i) => rpps(i));
  await sql`insert into dir_professional (id_nat, nom_exercice, prenom_exercice, row_hash, created_import, changed_import, changed_at)
    select id, 'BANC', 'Prenom', 'x', 1, 1, now() from unnest(${ids}::text[]) as id`.execute(database.db);
  await sql`insert into dir_activity (key, id_nat, nom_exercice, prenom_exercice, finess_site, finess_ej, raison_sociale, profession_code, row_hash, created_import, changed_import, changed_at)
    select id || '|a', id, 'BANC', 'Prenom', '690000012', '690000011', 'EHPAD DU BANC', '60', 'x', 1, 1, now()
    from unnest(${ids}::text[]) as id`.execute(database.db);
  return ids;
}

const { database, url: databaseUrl, drop } = await benchPostgres(values.postgres as string, 20);
await migrate(database);
const people = await seed(database);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const psc = await startPscEmulator({
  database,
  clients: [{ clientId: 'confiance', clientSecret: 'banc', redirectUris: [`${base}/connexion/psc/retour`] }],
});
// The hub runs in its own process: the load and the PSC emulator stay in this one.
const hub = spawn(
  process.execPath,
  ['--import', 'tsx', 'bench/login-server.ts', databaseUrl, String(port), psc.discoveryUrl],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
await new Promise<void>((resolve, reject) => {
  hub.once('exit', (code) => reject(new Error(`fournisseur arrêté (${code})`)));
  createInterface({ input: hub.stdout }).once('line', () => resolve());
});
const duiRedirect = 'http://127.0.0.1:9/callback';
const dui = await addTestDui(database, { name: 'DUI du banc', redirectUri: duiRedirect });
const config = await oidc.discovery(new URL(`${base}/oidc`), dui.clientId, dui.clientSecret, undefined, {
  execute: [oidc.allowInsecureRequests],
});

let n = 0;
const tokenLatencies: number[] = [];
const loginLatencies: number[] = [];
/** Drives one login up to the DUI's callback: the code and what the DUI kept to redeem it. */
async function loginUntilCode() {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: duiRedirect,
    scope: 'openid profile professionnel',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new HttpSession();
  const choice = await browser.follow(url.href);
  const action = /action="(\/connexion\/[^"]+\/psc)"/.exec(await choice.res.text())?.[1];
  const wallet = await browser.postForm(`${base}${action}`, {});
  await wallet.res.text();
  n += 1;
  const back = await browser.postForm(
    wallet.url,
    { autre: people[n % people.length] as string, moyen: 'MOBILE' },
    (l) => l.startsWith(duiRedirect),
  );
  return { callback: new URL(back.url), verifier, state, nonce };
}

const redeem = async (c: Awaited<ReturnType<typeof loginUntilCode>>) => {
  const tokens = await oidc.authorizationCodeGrant(config, c.callback, {
    pkceCodeVerifier: c.verifier,
    expectedState: c.state,
    expectedNonce: c.nonce,
  });
  if (!tokens.access_token) throw new Error('no access token');
};

async function login(): Promise<void> {
  const started = performance.now();
  await redeem(await loginUntilCode());
  loginLatencies.push(performance.now() - started);
}

async function run(
  task: () => Promise<void>,
  duration: number,
): Promise<{ count: number; seconds: number; errors: number }> {
  const end = performance.now() + duration * 1000;
  let count = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        try {
          await task();
          count += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  return { count, errors, seconds: (performance.now() - started) / 1000 };
}

say(`Connexions complètes (${concurrency} clients, ${seconds} s)…`);
await run(login, 2);
loginLatencies.length = 0;
const logins = await run(login, seconds);
say(`  ${logins.count} connexions en ${logins.seconds.toFixed(1)} s, ${logins.errors} erreur(s)`);

// The token endpoint alone, as the baseline is measured: codes obtained first, then redeemed by the same
// number of concurrent clients.
say('Point de jeton de Confiance seul…');
const pendingCodes: Array<Awaited<ReturnType<typeof loginUntilCode>>> = [];
await run(async () => {
  pendingCodes.push(await loginUntilCode());
}, 6);
const hubTokens = await run(async () => {
  const c = pendingCodes.pop();
  if (!c) return new Promise((resolve) => setTimeout(resolve, 1));
  const t0 = performance.now();
  await redeem(c);
  tokenLatencies.push(performance.now() - t0);
}, 3);
say(`  ${tokenLatencies.length} échanges de code (${hubTokens.errors} erreur(s))`);

// And one client at a time: the endpoint's own latency, without queueing behind 15 others.
const sequentialCodes: Array<Awaited<ReturnType<typeof loginUntilCode>>> = [];
while (sequentialCodes.length < 100) sequentialCodes.push(await loginUntilCode());
const hubSequential: number[] = [];
for (const c of sequentialCodes) {
  const t0 = performance.now();
  await redeem(c);
  hubSequential.push(performance.now() - t0);
}

// Baseline: a bare oidc-provider, in memory, whose token endpoint redeems codes minted through its models.
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const barePort = await freePort();
const bare = new Provider(`http://127.0.0.1:${barePort}`, {
  clients: [{ client_id: 'bare', client_secret: 'bare-secret', redirect_uris: [duiRedirect] }],
  jwks: { keys: [{ ...(await exportJWK(privateKey)), use: 'sig', alg: 'RS256' }] as never },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  features: { devInteractions: { enabled: false } },
});
const bareServer = createServer(bare.callback());
await new Promise<void>((resolve) => bareServer.listen(barePort, '127.0.0.1', resolve));
const found = await bare.Client.find('bare');
if (!found) throw new Error('bare client missing');
const bareClient = found;
const bareLatencies: number[] = [];
async function bareExchange() {
  const verifier = oidc.randomPKCECodeVerifier();
  const accountId = randomUUID();
  const grant = new bare.Grant({ clientId: 'bare', accountId });
  grant.addOIDCScope('openid');
  const grantId = await grant.save();
  const code = await new bare.AuthorizationCode({
    accountId,
    client: bareClient,
    grantId,
    redirectUri: duiRedirect,
    scope: 'openid',
    gty: 'authorization_code',
    codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
    codeChallengeMethod: 'S256',
  }).save();
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${barePort}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('bare:bare-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: duiRedirect,
      code_verifier: verifier,
    }),
  });
  await res.json();
  if (res.status !== 200) throw new Error(`bare token ${res.status}`);
  bareLatencies.push(performance.now() - t0);
}
say('Point de jeton oidc-provider nu…');
await run(bareExchange, 2);
bareLatencies.length = 0;
const bareRun = await run(bareExchange, Math.min(seconds, 10));
const concurrentBare = [...bareLatencies];
bareLatencies.length = 0;
for (let i = 0; i < 100; i++) await bareExchange();
const bareSequential = [...bareLatencies];
bareLatencies.splice(0, bareLatencies.length, ...concurrentBare);

const figures: Figure[] = [
  {
    name: 'connexions complètes par seconde (PKCE, PSC émulé, 16 clients)',
    driver: 'postgres',
    value: logins.count / logins.seconds,
    unit: 'connexions/s',
    baseline: {
      name: 'échanges de code par seconde, oidc-provider nu',
      value: bareRun.count / bareRun.seconds,
    },
  },
  {
    name: 'point de jeton p99',
    driver: 'postgres',
    value: percentile(tokenLatencies, 99),
    unit: 'ms',
    baseline: { name: 'point de jeton oidc-provider nu p99', value: percentile(bareLatencies, 99) },
  },
  {
    name: 'point de jeton p50',
    driver: 'postgres',
    value: percentile(tokenLatencies, 50),
    unit: 'ms',
    baseline: { name: 'point de jeton oidc-provider nu p50', value: percentile(bareLatencies, 50) },
  },
  {
    name: 'point de jeton p99, un client à la fois',
    driver: 'postgres',
    value: percentile(hubSequential, 99),
    unit: 'ms',
    baseline: {
      name: 'point de jeton oidc-provider nu p99, un client',
      value: percentile(bareSequential, 99),
    },
  },
  {
    name: 'durée d’une connexion complète p95',
    driver: 'postgres',
    value: percentile(loginLatencies, 95),
    unit: 'ms',
    baseline: { name: 'point de jeton oidc-provider nu p95', value: percentile(bareLatencies, 95) },
  },
];
report('login', figures, {
  concurrency,
  seconds,
  errors: logins.errors,
  note: 'Fournisseur dans son propre processus ; charge et émulateur PSC dans un autre ; base PostgreSQL locale ; 2 cœurs.',
});
bareServer.close();
await new Promise<void>((resolve) => {
  hub.once('exit', () => resolve());
  hub.kill('SIGTERM');
});
await psc.close();
await drop().catch(() => {});
