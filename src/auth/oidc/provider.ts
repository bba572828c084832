import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../../db/connect.ts';
import { escapeHtml } from '../../web/html.ts';
import { databaseAdapter } from './adapter.ts';
import { ensureSigningKeys } from './keys.ts';
import { certificateFrom, certificateTrusted, idNatStructOf, type MtlsSettings, trustStore } from './mtls.ts';

/** Scopes a DUI may ask for, and the claims each one releases (claims are what a DUI needs, no more). */
export const scopes = {
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: ['family_name', 'given_name', 'nom_exercice', 'prenom_exercice'],
  professionnel: ['idnat_ps', 'rpps', 'adeli', 'profession', 'situation', 'moyen'],
  usager: ['birthdate', 'gender', 'birthplace', 'birthcountry', 'preferred_username', 'public', 'moyen'],
  aidant: ['birthdate', 'gender', 'birthplace', 'birthcountry', 'preferred_username', 'public', 'moyen'],
} as const;

export interface HubOptions {
  database: Database;
  issuer: string;
  /** Secret signing the provider's cookies; the console's session secret. */
  cookieSecret: string;
  trustProxy: boolean;
  /** Absolute and idle session limits, from the RIE rule set in force. */
  session: { absoluteSeconds: number; idleSeconds: number };
  /** Mutual TLS of structures' software; null: no structure client can authenticate. */
  mtls?: MtlsSettings | null;
}

/** What a structure's software may ask for: feeding documents, never reading them. */
export const structureScopes = ['documents:alimenter'] as const;

interface AccountRow {
  sub: string;
  kind: string;
  claims: Record<string, unknown>;
}

/** The hub's account claims, stored at the last login (from PSC or FC+) and released per scope. */
export async function findAccountClaims(database: Database, sub: string): Promise<AccountRow | null> {
  const r = await sql<AccountRow>`select sub, kind, claims from oidc_account where sub = ${sub}`.execute(
    database.db,
  );
  return r.rows[0] ?? null;
}

const errorPage = (
  title: string,
  detail: string,
) => `<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>${escapeHtml(title)} — Confiance</title><link rel="stylesheet" href="/assets/confiance.css"></head>
<body><main class="wrap"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>
<p>Revenez au logiciel d’où vous venez et recommencez la connexion.</p></main></body></html>`;

/** French wording of the OAuth errors a person may meet in the browser. */
const frenchErrors: Record<string, string> = {
  invalid_request: 'La demande de connexion est incomplète ou mal formée.',
  invalid_client: 'Ce logiciel n’est pas enregistré auprès de Confiance.',
  invalid_redirect_uri: 'L’adresse de retour n’est pas déclarée pour ce logiciel.',
  unauthorized_client: 'Ce logiciel n’est pas autorisé à se connecter ainsi.',
  access_denied: 'La connexion a été refusée.',
  invalid_scope: 'Le logiciel demande des informations qui ne lui sont pas ouvertes.',
  login_required: 'Une connexion est nécessaire.',
  session_not_found: 'Votre session a expiré.',
  server_error: 'Une erreur interne est survenue.',
};

/**
 * The OpenID Connect provider DUIs delegate their login to: authorization code with PKCE (S256) for every client,
 * refresh tokens, userinfo, RP-initiated and back-channel logout, keys and storage in the database. The login
 * itself (which means, PSC, FC+…) happens in the interaction pages under `/connexion`.
 */
export async function createHub(o: HubOptions): Promise<Provider> {
  const keys = await ensureSigningKeys(o.database);
  const mtls = o.mtls ?? null;
  const authorities = mtls ? trustStore(mtls) : [];
  const cookieKey = createHash('sha256').update(`oidc-cookies:${o.cookieSecret}`).digest('base64url');
  const configuration: Configuration = {
    adapter: databaseAdapter(o.database),
    // DUIs are registered by an administrator, never dynamically, and an ESMS's DUI often sits on a private network:
    // back-channel logouts and `jwks_uri` keys must reach such addresses, which oidc-provider refuses by default.
    fetch: (url, options) => {
      const { dispatcher: _dispatcher, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    jwks: { keys: keys as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: [cookieKey] },
    pkce: { required: () => true },
    scopes: [...Object.keys(scopes), ...structureScopes],
    claims: Object.fromEntries(Object.entries(scopes).map(([k, v]) => [k, [...v]])),
    acrValues: ['eidas1', 'eidas2', 'eidas3'],
    clientAuthMethods: [
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      ...(mtls ? ['tls_client_auth' as const] : []),
    ],
    responseTypes: ['code'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      clientCredentials: { enabled: !!mtls },
      mTLS: mtls
        ? {
            enabled: true,
            certificateBoundAccessTokens: true,
            tlsClientAuth: true,
            getCertificate: (ctx) => certificateFrom(ctx, mtls),
            // Decided before the endpoint runs (chain checks are asynchronous): see the middleware below.
            certificateAuthorized: (ctx) => ctx.state.mtlsTrusted === true,
            certificateSubjectMatches: (ctx, property, expected) => {
              const pem = certificateFrom(ctx, mtls);
              return property === 'tls_client_auth_subject_dn' && !!pem && idNatStructOf(pem) === expected;
            },
          }
        : { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Déconnexion — Confiance</title>
<link rel="stylesheet" href="/assets/confiance.css"></head><body><main class="wrap"><h1>Se déconnecter ?</h1>
<p>Vous allez fermer votre session Confiance et celle des logiciels qui l’utilisent.</p>${form}
<p><button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<button type="submit" form="op.logoutForm">Rester connecté</button></p></main></body></html>`;
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = errorPage('Vous êtes déconnecté', 'Votre session Confiance est fermée.');
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/connexion/${interaction.uid}` },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 900,
      Grant: o.session.absoluteSeconds,
      Session: o.session.absoluteSeconds,
      // A refresh token lasts the idle limit, renewed at each use, and never beyond the absolute limit of the
      // login it comes from (RIE v2 EXI RIE-PS 13: 4 h, 30 min of inactivity).
      RefreshToken: (_ctx, token) => {
        const elapsed = Math.floor(Date.now() / 1000) - (token.authTime ?? token.iat ?? 0);
        return Math.max(1, Math.min(o.session.idleSeconds, o.session.absoluteSeconds - elapsed));
      },
    },
    rotateRefreshToken: true,
    // DUIs are first-party clients: the grant covers what they ask for, without a consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, params } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(String(params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (_ctx, sub) => {
      const account = await findAccountClaims(o.database, sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(
        'Connexion impossible',
        `${frenchErrors[out.error] ?? 'La demande de connexion a été refusée.'} (${out.error})`,
      );
    },
  };
  const provider = new Provider(o.issuer, configuration);
  provider.proxy = o.trustProxy;
  if (mtls)
    provider.use(async (ctx, next) => {
      if (ctx.path === '/token' || ctx.path === '/token/introspection') {
        const pem = certificateFrom(ctx, mtls);
        ctx.state.mtlsTrusted = pem ? await certificateTrusted(pem, authorities) : false;
      }
      await next();
    });
  return provider;
}
