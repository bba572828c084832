import { createHash, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair } from 'jose';
import { sql } from 'kysely';
import Provider, { type Configuration } from 'oidc-provider';
import type { Database } from '../db/connect.ts';
import { escapeHtml } from '../web/html.ts';
import { memoryAdapter } from './memory-adapter.ts';

/**
 * Emulator of Pro Santé Connect for the sandbox, on oidc-provider so that every request is checked as the real
 * realm does (client authentication, redirect URIs, PKCE, codes used once): the Keycloak realm paths
 * (`/auth/realms/esante-wallet/protocol/openid-connect/...`), the non-standard discovery name
 * (`.well-known/wallet-openid-configuration`; the standard name answers 404), the authorization endpoint on its
 * own host and port ("wallet"), a page to choose a synthetic professional of the directory with "carte CPS" or
 * "e-CPS", and the userinfo of the ANS fixtures (`SubjectNameID`, `SubjectRefPro`, `otherIds`…) built from the
 * directory. research/auth.md §1.
 */
export const realmPath = '/auth/realms/esante-wallet';
const oidcRoutes = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  userinfo: '/protocol/openid-connect/userinfo',
  jwks: '/protocol/openid-connect/certs',
  end_session: '/protocol/openid-connect/logout',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
};

export interface PscClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** How userinfo answers: JSON (default), a signed JWT, or a signed JWT encrypted to the client's keys. */
  userinfo?: 'json' | 'jwt' | 'jwe';
  /** The client's encryption keys, for `jwe`. */
  jwksUri?: string;
  /** Authenticates by mutual TLS with a certificate whose OU is this idNat_Struct (needs the `tls` option). */
  tlsSubject?: string;
}

export interface RunningPscEmulator {
  issuer: string;
  /** Where the realm's discovery document is: the non-standard name. */
  discoveryUrl: string;
  walletUrl: string;
  close(): Promise<void>;
}

type Mode = 'CARD' | 'MOBILE';

/** PSC's `sub` is a Keycloak federated id, not the national one: the broker must never key accounts by it. */
const accountIdOf = (idNat: string, mode: Mode) =>
  `f:${createHash('sha256').update(idNat).digest('hex').slice(0, 32)}:${idNat}:${mode}`;
const parseAccountId = (id: string) => {
  const [, , idNat, mode] = id.split(':');
  return { idNat: idNat ?? '', mode: (mode === 'CARD' ? 'CARD' : 'MOBILE') as Mode };
};

interface ActivityRow {
  id_nat: string;
  civilite_code: string | null;
  civilite_exercice_code: string | null;
  nom_exercice: string | null;
  prenom_exercice: string | null;
  profession_code: string | null;
  categorie_code: string | null;
  savoir_faire_type_code: string | null;
  savoir_faire_code: string | null;
  mode_code: string | null;
  secteur_code: string | null;
  role_code: string | null;
  genre_code: string | null;
  siret: string | null;
  siren: string | null;
  finess_site: string | null;
  finess_ej: string | null;
  structure_id: string | null;
  raison_sociale: string | null;
  enseigne: string | null;
  code_postal: string | null;
  commune_code: string | null;
  departement_code: string | null;
  telephone: string | null;
  email: string | null;
  pp_id: string | null;
  id_type: string | null;
}

const s = (v: string | null) => v ?? '';

/** The userinfo PSC returns, from the directory's activities of one professional. */
export async function pscUserinfo(
  database: Database,
  idNat: string,
  mode: Mode,
): Promise<Record<string, unknown> | null> {
  const r =
    await sql<ActivityRow>`select id_nat, civilite_code, civilite_exercice_code, nom_exercice, prenom_exercice,
      profession_code, categorie_code, savoir_faire_type_code, savoir_faire_code, mode_code, secteur_code, role_code,
      genre_code, siret, siren, finess_site, finess_ej, structure_id, raison_sociale, enseigne, code_postal,
      commune_code, departement_code, telephone, email, pp_id, id_type
    from dir_activity where id_nat = ${idNat} and active order by key`.execute(database.db);
  const rows = r.rows;
  const first = rows[0];
  if (!first) return null;
  const byProfession = new Map<string, ActivityRow[]>();
  for (const a of rows) {
    const key = `${s(a.profession_code)}|${s(a.savoir_faire_code)}`;
    byProfession.set(key, [...(byProfession.get(key) ?? []), a]);
  }
  return {
    SubjectNameID: idNat,
    preferred_username: idNat,
    given_name: s(first.prenom_exercice),
    family_name: s(first.nom_exercice),
    email_verified: false,
    SubjectOrganization: s(first.raison_sociale),
    SubjectOrganizationID: s(first.structure_id),
    SubjectRole: [...new Set(rows.map((a) => `${s(a.profession_code)}^1.2.250.1.213.1.1.5.5`))],
    Secteur_Activite: first.secteur_code ? `${first.secteur_code}^1.2.250.1.71.4.2.4` : '',
    Palier_Authentification:
      mode === 'CARD' ? 'APPPRIP3^1.2.250.1.213.1.5.1.1.1' : 'APPPRIP2^1.2.250.1.213.1.5.1.1.1',
    PSI_Locale: '1.2.250.1.213.1.3.1.1',
    UITVersion: '1.0',
    Acces_Regulation_Medicale: 'FAUX',
    Mode_Acces_Raison: '',
    authMode: mode,
    otherIds: [
      { identifiant: s(first.pp_id), origine: first.id_type === '0' ? 'ADELI' : 'RPPS', qualite: 1 },
    ],
    SubjectRefPro: {
      codeCivilite: s(first.civilite_code),
      exercices: [...byProfession.values()].map((acts) => {
        const a = acts[0] as ActivityRow;
        return {
          codeProfession: s(a.profession_code),
          codeCategorieProfessionnelle: s(a.categorie_code),
          codeCiviliteDexercice: s(a.civilite_exercice_code),
          nomDexercice: s(a.nom_exercice),
          prenomDexercice: s(a.prenom_exercice),
          codeTypeSavoirFaire: s(a.savoir_faire_type_code),
          codeSavoirFaire: s(a.savoir_faire_code),
          activities: acts.map((x) => ({
            codeModeExercice: s(x.mode_code),
            codeSecteurDactivite: s(x.secteur_code),
            codeSectionPharmacien: '',
            codeRole: s(x.role_code),
            codeGenreActivite: s(x.genre_code),
            numeroSiretSite: s(x.siret),
            numeroSirenSite: s(x.siren),
            numeroFinessSite: s(x.finess_site),
            numeroFinessetablissementJuridique: s(x.finess_ej),
            identifiantTechniqueDeLaStructure: s(x.structure_id),
            raisonSocialeSite: s(x.raison_sociale),
            enseigneCommercialeSite: s(x.enseigne),
            codePostal: s(x.code_postal),
            codeCommune: s(x.commune_code),
            codeDepartement: s(x.departement_code),
            telephone: s(x.telephone),
            adresseEMail: s(x.email),
          })),
        };
      }),
    },
  };
}

/** Hands a request to the provider with `prefix` removed, keeping `originalUrl` for the URLs it builds. */
function forward(provider: () => Provider, prefix: string, rewrite?: (url: string) => string) {
  return async (request: { raw: IncomingMessage }, reply: { hijack(): void; raw: ServerResponse }) => {
    reply.hijack();
    const raw = request.raw as IncomingMessage & { originalUrl?: string };
    const url = rewrite ? rewrite(raw.url ?? '/') : (raw.url ?? '/');
    raw.originalUrl = url;
    raw.url = url.slice(prefix.length) || '/';
    await provider().callback()(raw, reply.raw);
  };
}

/** Every claim of the PSC userinfo, all released under `scope_all`. */
const pscClaims = [
  'SubjectNameID',
  'preferred_username',
  'given_name',
  'family_name',
  'email_verified',
  'SubjectOrganization',
  'SubjectOrganizationID',
  'SubjectRole',
  'Secteur_Activite',
  'Palier_Authentification',
  'PSI_Locale',
  'UITVersion',
  'Acces_Regulation_Medicale',
  'Mode_Acces_Raison',
  'authMode',
  'otherIds',
  'SubjectRefPro',
];

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)} — Pro Santé Connect (bac à sable)</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}h1{color:#000091}
fieldset{margin:1rem 0;border:1px solid #ccc;padding:.5rem 1rem}label{display:block;margin:.4rem 0}button{background:#000091;color:#fff;border:0;padding:.6rem 1.2rem;font-size:1rem}</style>
</head><body><main>${body}</main></body></html>`;
}

/** Starts the emulator: the realm ("auth") and the wallet ("wallet") on two loopback ports. */
export async function startPscEmulator(options: {
  database: Database;
  clients: PscClient[];
  authPort?: number;
  walletPort?: number;
  /**
   * The realm over TLS, asking for client certificates of this test PKI: clients registered with
   * `tlsSubject` authenticate by mutual TLS (tls_client_auth) instead of their secret.
   */
  tls?: { caPem: string; server: { certPem: string; keyPem: string } };
}): Promise<RunningPscEmulator> {
  const { database } = options;
  // The directory changes at most once a day: a person's userinfo is kept a minute, as the realm caches its users.
  const userinfoCache = new Map<string, { at: number; info: Promise<Record<string, unknown> | null> }>();
  const userinfo = (idNat: string, mode: Mode) => {
    const key = `${idNat}|${mode}`;
    const hit = userinfoCache.get(key);
    if (hit && Date.now() - hit.at < 60_000) return hit.info;
    if (userinfoCache.size > 10_000) userinfoCache.clear();
    const info = pscUserinfo(database, idNat, mode);
    userinfoCache.set(key, { at: Date.now(), info });
    return info;
  };
  // An HTTPS instance is the same server for the routes below; one type keeps them callable.
  const auth = (options.tls
    ? Fastify({
        logger: false,
        https: {
          cert: options.tls.server.certPem,
          key: options.tls.server.keyPem,
          ca: options.tls.caPem,
          requestCert: true,
          rejectUnauthorized: false,
        },
      })
    : Fastify({ logger: false })) as unknown as FastifyInstance;
  const wallet = Fastify({ logger: false });
  await wallet.register(formbody);
  // The provider needs the ports in its issuer: routes are declared first and reach it once both servers listen.
  let provider: Provider | undefined;
  const current = () => {
    if (!provider) throw new Error('émulateur PSC non démarré');
    return provider;
  };
  let issuer = '';
  let walletBase = '';
  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
      ...(c.tlsSubject
        ? { token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: c.tlsSubject }
        : { token_endpoint_auth_method: 'client_secret_basic' }),
      ...(c.userinfo === 'jwt' || c.userinfo === 'jwe' ? { userinfo_signed_response_alg: 'RS256' } : {}),
      ...(c.userinfo === 'jwe'
        ? {
            userinfo_encrypted_response_alg: 'RSA-OAEP',
            userinfo_encrypted_response_enc: 'A256GCM',
            jwks_uri: c.jwksUri,
          }
        : {}),
    })),
    // Clients' keys are on the loopback in the sandbox, which oidc-provider's fetch protection would refuse.
    fetch: (url, options) => {
      const { dispatcher: _dispatcher, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    adapter: memoryAdapter(),
    clientAuthMethods: [
      'client_secret_basic',
      'client_secret_post',
      ...(options.tls ? ['tls_client_auth' as const] : []),
    ],
    routes: oidcRoutes,
    scopes: ['openid', 'scope_all'],
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], scope_all: pscClaims },
    acrValues: ['eidas1', 'eidas2'],
    pkce: { required: () => false },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      jwtUserinfo: { enabled: true },
      encryption: { enabled: true },
      mTLS: options.tls
        ? {
            enabled: true,
            tlsClientAuth: true,
            getCertificate: (ctx) => {
              const socket = ctx.req.socket;
              const peer = socket instanceof TLSSocket ? socket.getPeerCertificate(false) : null;
              return peer?.raw ? new X509Certificate(peer.raw).toString() : undefined;
            },
            certificateAuthorized: (ctx) => ctx.req.socket instanceof TLSSocket && ctx.req.socket.authorized,
            certificateSubjectMatches: (ctx, property, expected) => {
              const socket = ctx.req.socket;
              const peer = socket instanceof TLSSocket ? socket.getPeerCertificate(false) : null;
              return property === 'tls_client_auth_subject_dn' && peer?.subject?.OU === expected;
            },
          }
        : { enabled: false },
      // Like the realm, a logout carrying an id_token_hint ends the PSC session without asking.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Déconnexion</title></head><body>
${form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>')}
<p>Déconnexion de Pro Santé Connect…</p><script>document.getElementById('op.logoutForm').submit()</script></body></html>`;
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${walletBase}/interaction/${interaction.uid}` },
    cookies: { keys: ['psc-sandbox-cookies'] },
    conformIdTokenClaims: true,
    findAccount: async (_ctx, id) => {
      const { idNat, mode } = parseAccountId(id);
      const info = await userinfo(idNat, mode);
      if (!info) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...info }) };
    },
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid scope_all');
      await grant.save();
      return grant;
    },
  };

  // Discovery exists only under PSC's own name; the authorization endpoint is on the wallet host.
  auth.get(`${realmPath}/.well-known/openid-configuration`, async (_request, reply) =>
    reply.code(404).send({ error: 'not_found' }),
  );
  auth.get(`${realmPath}/.well-known/wallet-openid-configuration`, async () => {
    // Asked in-process, with the host and scheme clients use, from which the provider builds its endpoints.
    const res = await auth.inject({
      url: `${realmPath}/.well-known/openid-configuration-interne`,
      headers: { host: new URL(issuer).host, 'x-forwarded-proto': new URL(issuer).protocol.replace(':', '') },
    });
    const metadata = res.json() as Record<string, unknown>;
    return { ...metadata, authorization_endpoint: `${walletBase}/auth` };
  });
  auth.get(
    `${realmPath}/.well-known/openid-configuration-interne`,
    forward(current, realmPath, (u) => u.replace('-interne', '')),
  );
  auth.removeAllContentTypeParsers();
  auth.addContentTypeParser('*', (_r, _p, done) => done(null));
  auth.all(`${realmPath}/protocol/*`, forward(current, realmPath));

  wallet.get(
    '/auth',
    forward(current, realmPath, (u) => u.replace(/^\/auth/, `${realmPath}${oidcRoutes.authorization}`)),
  );
  wallet.get(`${realmPath}/protocol/openid-connect/auth/*`, forward(current, realmPath));

  wallet.get('/interaction/:uid', async (request, reply) => {
    const details = await current().interactionDetails(request.raw, reply.raw);
    const people = await sql<{
      id_nat: string;
      nom: string;
      prenom: string;
      profession: string | null;
      n: number;
    }>`
      select a.id_nat, min(a.nom_exercice) as nom, min(a.prenom_exercice) as prenom, min(a.profession) as profession,
        count(*)::int as n
      from dir_activity a where a.active and a.id_nat like '8%' and a.finess_site is not null
      group by a.id_nat order by count(*) desc, a.id_nat limit 12`.execute(database.db);
    reply.type('text/html; charset=utf-8');
    return page(
      'Connexion',
      `<h1>Pro Santé Connect — bac à sable</h1>
<p>Choisissez un professionnel synthétique de l’annuaire et son moyen d’identification.</p>
<form method="post" action="/interaction/${escapeHtml(details.uid)}">
<fieldset><legend>Professionnel</legend>
${people.rows
  .map(
    (p, i) =>
      `<label><input type="radio" name="idnat" value="${escapeHtml(p.id_nat)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(p.prenom)} ${escapeHtml(p.nom)} — ${escapeHtml(p.profession ?? '')} (${escapeHtml(p.id_nat)}, ${p.n} situation${p.n > 1 ? 's' : ''})</label>`,
  )
  .join('\n')}
<label>Autre idNat_PS : <input name="autre" pattern="[0-9]{10,12}" inputmode="numeric"></label>
</fieldset>
<fieldset><legend>Moyen d’identification</legend>
<label><input type="radio" name="moyen" value="MOBILE" checked> e-CPS (application mobile)</label>
<label><input type="radio" name="moyen" value="CARD"> Carte CPS et lecteur</label>
</fieldset>
<p><button type="submit">Se connecter</button></p></form>`,
    );
  });
  wallet.post<{ Params: { uid: string }; Body: { idnat?: string; autre?: string; moyen?: string } }>(
    '/interaction/:uid',
    async (request, reply) => {
      const idNat = (request.body.autre || request.body.idnat || '').trim();
      const mode: Mode = request.body.moyen === 'CARD' ? 'CARD' : 'MOBILE';
      if (!(await userinfo(idNat, mode))) {
        reply.code(400).type('text/html; charset=utf-8');
        return page(
          'Inconnu',
          `<h1>Professionnel inconnu</h1><p>${escapeHtml(idNat)} n’est pas dans l’annuaire.</p>`,
        );
      }
      reply.hijack();
      await current().interactionFinished(
        request.raw,
        reply.raw,
        {
          login: {
            accountId: accountIdOf(idNat, mode),
            acr: mode === 'CARD' ? 'eidas2' : 'eidas1',
            amr: mode === 'CARD' ? ['sc', 'pin'] : ['mfa', 'otp'],
          },
        },
        { mergeWithLastSubmission: false },
      );
    },
  );

  await auth.listen({ port: options.authPort ?? 0, host: '127.0.0.1' });
  await wallet.listen({ port: options.walletPort ?? 0, host: '127.0.0.1' });
  issuer = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(auth.server.address() as { port: number }).port}${realmPath}`;
  walletBase = `http://127.0.0.1:${(wallet.server.address() as { port: number }).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  configuration.jwks = {
    keys: [{ ...(await exportJWK(privateKey)), use: 'sig', alg: 'RS256' }] as NonNullable<
      Configuration['jwks']
    >['keys'],
  };
  provider = new Provider(issuer, configuration);
  // Only for the in-process discovery request above: the sandbox listens on the loopback alone.
  provider.proxy = true;

  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/wallet-openid-configuration`,
    walletUrl: `${walletBase}/auth`,
    async close() {
      await Promise.all([auth.close(), wallet.close()]);
    },
  };
}
