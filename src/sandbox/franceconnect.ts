import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { escapeHtml } from '../web/html.ts';
import { type InsiIdentity, testIdentities } from './insi.ts';
import { memoryAdapter } from './memory-adapter.ts';
import { syntheticIdentities } from './synthetic-identities.ts';

/**
 * Emulator of FranceConnect+ (API v2) for the sandbox, on oidc-provider: `/api/v2/authorize|token|userinfo|
 * session/end|jwks`, ES256 signatures, id_token and userinfo **encrypted** to the service provider with its
 * published keys (RSA-OAEP + A256GCM), `acr_values` eidas2/eidas3, state and nonce of at least 32 characters,
 * 60-second access tokens, a pairwise `sub`, and the identité pivot of synthetic usagers, the public INSi test
 * identities among them. research/auth.md §2.
 */
export interface FranceConnectClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** Where the service provider publishes its encryption keys. */
  jwksUri: string;
}

export interface RunningFranceConnect {
  issuer: string;
  close(): Promise<void>;
}

export const apiPath = '/api/v2';

/** The people the emulator knows: the INSi test identities first, then synthetic ones. */
export const franceConnectPeople: InsiIdentity[] = [...testIdentities, ...syntheticIdentities(30, 3)];

const pivotOf = (p: InsiIdentity) => ({
  given_name: p.prenoms
    .join(' ')
    .toLowerCase()
    .replace(/(^|[\s-])\p{L}/gu, (m) => m.toUpperCase()),
  family_name: p.nomNaissance,
  birthdate: p.dateNaissance,
  gender: p.sexe === 'F' ? 'female' : 'male',
  birthplace: /^99/.test(p.lieuNaissance) ? '' : p.lieuNaissance,
  birthcountry: /^99/.test(p.lieuNaissance) ? p.lieuNaissance : '99100',
  preferred_username: '',
  email: `${p.nomNaissance.toLowerCase().replace(/[^a-z]/g, '')}@exemple.fr`,
});

const personKey = (p: InsiIdentity) =>
  `${p.nomNaissance}|${p.prenoms.join(' ')}|${p.dateNaissance}|${p.lieuNaissance}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)} — FranceConnect+ (bac à sable)</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}h1{color:#000091}
label{display:block;margin:.4rem 0}fieldset{margin:1rem 0}button{background:#000091;color:#fff;border:0;padding:.6rem 1.2rem;font-size:1rem}</style>
</head><body><main>${body}</main></body></html>`;
}

export async function startFranceConnectEmulator(options: {
  clients: FranceConnectClient[];
  port?: number;
}): Promise<RunningFranceConnect> {
  const app = Fastify({ logger: false });
  await app.register(formbody);
  let provider: Provider | undefined;
  const current = () => {
    if (!provider) throw new Error('émulateur FranceConnect+ non démarré');
    return provider;
  };
  const forward = async (
    request: { raw: IncomingMessage },
    reply: { hijack(): void; raw: ServerResponse },
  ) => {
    reply.hijack();
    const raw = request.raw as IncomingMessage & { originalUrl?: string };
    raw.originalUrl = raw.url;
    raw.url = (raw.url ?? '/').slice(apiPath.length) || '/';
    await current().callback()(raw, reply.raw);
  };
  // The provider reads its own request bodies: its routes live in a scope that leaves them unread.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_r, _p, done) => done(null));
    scope.all(`${apiPath}/*`, forward);
  });

  app.get<{ Params: { uid: string } }>('/interaction/:uid', async (request, reply) => {
    const details = await current().interactionDetails(request.raw, reply.raw);
    reply.type('text/html; charset=utf-8');
    return page(
      'Connexion',
      `<h1>FranceConnect+ — bac à sable</h1><p>Choisissez un usager fictif et son fournisseur d’identité.</p>
<form method="post" action="/interaction/${escapeHtml(details.uid)}"><fieldset><legend>Usager</legend>
${franceConnectPeople
  .slice(0, 14)
  .map(
    (p, i) =>
      `<label><input type="radio" name="personne" value="${i}"${i === 0 ? ' checked' : ''}> ${escapeHtml(p.prenoms.join(' '))} ${escapeHtml(p.nomNaissance)}, né(e) le ${escapeHtml(p.dateNaissance.split('-').reverse().join('/'))}</label>`,
  )
  .join('\n')}
</fieldset><fieldset><legend>Fournisseur d’identité</legend>
<label><input type="radio" name="fournisseur" value="eidas2" checked> L’Identité Numérique La Poste (substantiel)</label>
<label><input type="radio" name="fournisseur" value="eidas3"> France Identité (élevé)</label>
</fieldset><p><button type="submit">Se connecter</button></p></form>`,
    );
  });
  app.post<{ Params: { uid: string }; Body: { personne?: string; fournisseur?: string } }>(
    '/interaction/:uid',
    async (request, reply) => {
      const person = franceConnectPeople[Number(request.body.personne)];
      if (!person)
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(page('Inconnu', '<h1>Usager inconnu</h1>'));
      const acr = request.body.fournisseur === 'eidas3' ? 'eidas3' : 'eidas2';
      reply.hijack();
      await current().interactionFinished(
        request.raw,
        reply.raw,
        { login: { accountId: personKey(person), acr, amr: ['mfa'] } },
        { mergeWithLastSubmission: false },
      );
    },
  );

  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const issuer = `${base}${apiPath}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const people = new Map(franceConnectPeople.map((p) => [personKey(p), p]));

  const configuration: Configuration = {
    adapter: memoryAdapter(),
    // The hub publishes its encryption keys on the loopback in the sandbox: oidc-provider's protection against
    // requests to special-use addresses would refuse to fetch them, so this emulator fetches without it.
    fetch: (url, options) => {
      const { dispatcher: _dispatcher, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    jwks: {
      keys: [
        { ...(await exportJWK(privateKey)), use: 'sig', alg: 'ES256', kid: 'fcplus-sandbox-es256' },
      ] as never,
    },
    routes: {
      authorization: '/authorize',
      token: '/token',
      userinfo: '/userinfo',
      end_session: '/session/end',
      jwks: '/jwks',
    },
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      token_endpoint_auth_method: 'client_secret_post',
      jwks_uri: c.jwksUri,
      id_token_signed_response_alg: 'ES256',
      id_token_encrypted_response_alg: 'RSA-OAEP',
      id_token_encrypted_response_enc: 'A256GCM',
      userinfo_signed_response_alg: 'ES256',
      userinfo_encrypted_response_alg: 'RSA-OAEP',
      userinfo_encrypted_response_enc: 'A256GCM',
    })),
    clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
    scopes: [
      'openid',
      'given_name',
      'family_name',
      'birthdate',
      'gender',
      'birthplace',
      'birthcountry',
      'email',
      'preferred_username',
      'identite_pivot',
      'profile',
      'birth',
    ],
    claims: {
      given_name: ['given_name'],
      family_name: ['family_name'],
      birthdate: ['birthdate'],
      gender: ['gender'],
      birthplace: ['birthplace'],
      birthcountry: ['birthcountry'],
      email: ['email'],
      preferred_username: ['preferred_username'],
      identite_pivot: ['given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry'],
      profile: ['family_name', 'given_name', 'preferred_username', 'gender', 'birthdate'],
      birth: ['birthplace', 'birthcountry'],
    },
    acrValues: ['eidas2', 'eidas3'],
    pkce: { required: () => false },
    ttl: {
      AccessToken: 60,
      AuthorizationCode: 30,
      IdToken: 60,
      Interaction: 600,
      Session: 1800,
      Grant: 1800,
    },
    features: {
      devInteractions: { enabled: false },
      encryption: { enabled: true },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      revocation: { enabled: true },
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
      idTokenEncryptionAlgValues: ['RSA-OAEP', 'ECDH-ES'],
      idTokenEncryptionEncValues: ['A256GCM'],
      userinfoEncryptionAlgValues: ['RSA-OAEP', 'ECDH-ES'],
      userinfoEncryptionEncValues: ['A256GCM'],
    },
    interactions: { url: (_ctx, interaction) => `${base}/interaction/${interaction.uid}` },
    cookies: { keys: ['fcplus-sandbox-cookies'] },
    // FranceConnect gives each service provider its own `sub` for a person.
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      `${createHash('sha256').update(`${client.clientId}|${accountId}`).digest('hex')}v1`,
    subjectTypes: ['public', 'pairwise'],
    clientDefaults: { subject_type: 'pairwise' },
    findAccount: async (_ctx, id) => {
      const p = people.get(id);
      if (!p) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...pivotOf(p) }) };
    },
    loadExistingGrant: async (ctx) => {
      const { client, session, params } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(String(params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
  };
  provider = new Provider(issuer, configuration);
  // FC+ rules the provider does not check by itself: state and nonce of 32 characters at least, eIDAS 2 or 3.
  provider.use(async (ctx, next) => {
    if (ctx.path === '/authorize') {
      const q = ctx.query as Record<string, string | undefined>;
      const problem =
        (q.state ?? '').length < 32
          ? 'state doit compter au moins 32 caractères'
          : (q.nonce ?? '').length < 32
            ? 'nonce doit compter au moins 32 caractères'
            : !/\beidas[23]\b/.test(q.acr_values ?? '')
              ? 'acr_values doit valoir eidas2 ou eidas3'
              : null;
      if (problem) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = page('Erreur', `<h1>Erreur Y000400</h1><p>${escapeHtml(problem)}.</p>`);
        return;
      }
    }
    await next();
  });
  return { issuer, close: () => app.close() };
}
