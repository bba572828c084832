import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { addClient, removeClient } from '../auth/oidc/clients.ts';
import type { Database } from '../db/connect.ts';
import { escapeHtml } from '../web/html.ts';

/**
 * A sample DUI for the sandbox: it logs its users in through the hub (authorization code, PKCE, state, nonce, as
 * any DUI should with openid-client) and shows the claims it received. It is what a DUI vendor copies.
 */
export const sampleDuiName = 'DUI d’exemple (bac à sable)';

export interface RunningSampleDui {
  url: string;
  close(): Promise<void>;
}

/** The sample DUI's registration at the hub, created once: its secret is read back from the registration. */
export async function ensureSampleClient(
  database: Database,
  duiUrl: string,
): Promise<{ clientId: string; clientSecret: string }> {
  const existing = await sql<{ client_id: string; secret: string; redirects: string[] }>`
    select client_id, metadata->>'client_secret' as secret,
      array(select jsonb_array_elements_text(metadata->'redirect_uris')) as redirects
    from oidc_client where name = ${sampleDuiName}`.execute(database.db);
  const row = existing.rows[0];
  if (row?.redirects.includes(`${duiUrl}/callback`))
    return { clientId: row.client_id, clientSecret: row.secret };
  if (row) await removeClient(database, row.client_id, 'bac-a-sable');
  const added = await addClient(
    database,
    {
      name: sampleDuiName,
      redirectUris: [`${duiUrl}/callback`],
      postLogoutRedirectUris: [`${duiUrl}/`],
      backchannelLogoutUri: null,
      auth: { method: 'client_secret_basic' },
      profile: {
        processesHealthData: true,
        shared: false,
        integratesShared: true,
        externalAccess: true,
        newUsagersPerYear: 300,
        professionalsPerYear: 120,
      },
    },
    'bac-a-sable',
  );
  return { clientId: added.clientId, clientSecret: added.clientSecret as string };
}

const labels: Array<[string, string]> = [
  ['idnat_ps', 'idNat_PS'],
  ['rpps', 'RPPS'],
  ['adeli', 'ADELI'],
  ['nom_exercice', 'Nom d’exercice'],
  ['prenom_exercice', 'Prénom d’exercice'],
  ['profession', 'Profession (code)'],
];

function page(body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>DUI d’exemple</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}h1{color:#6a1b9a}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
a.button,button{background:#6a1b9a;color:#fff;padding:.5rem 1rem;border:0;text-decoration:none;font-size:1rem}</style>
</head><body><main>${body}</main></body></html>`;
}

/**
 * Starts the sample DUI. Its registration needs its URL, so the caller passes the port it registered; routes are
 * declared before listening and read the URL once known.
 */
export async function startSampleDui(options: {
  hubIssuer: string;
  clientId: string;
  clientSecret: string;
  port: number;
}): Promise<RunningSampleDui> {
  const app = Fastify({ logger: false });
  await app.register(cookie);
  await app.register(formbody);
  const base = `http://127.0.0.1:${options.port}`;
  let configuration: Promise<oidc.Configuration> | undefined;
  const config = () => {
    configuration ??= oidc
      .discovery(new URL(options.hubIssuer), options.clientId, options.clientSecret, undefined, {
        execute: [oidc.allowInsecureRequests],
      })
      .catch((e: unknown) => {
        configuration = undefined;
        throw e;
      });
    return configuration;
  };
  // A DUI keeps these server-side; the browser only holds opaque identifiers.
  const pending = new Map<string, { verifier: string; nonce: string }>();
  const sessions = new Map<
    string,
    { claims: Record<string, unknown>; idToken: string | null; acr: unknown; amr: unknown }
  >();

  app.get('/', async (request, reply) => {
    reply.type('text/html; charset=utf-8');
    const session = sessions.get(request.cookies.dui_session ?? '');
    if (!session)
      return page(`<h1>DUI d’exemple</h1><p>Ce logiciel délègue la connexion de ses utilisateurs à Confiance.</p>
<p><a class="button" href="/login">Se connecter</a> (professionnel) &nbsp; <a class="button" href="/login?public=usager">Se connecter en tant qu’usager</a> &nbsp; <a class="button" href="/login?public=aidant">Se connecter en tant qu’aidant</a></p>`);
    const c = session.claims;
    if (!c.idnat_ps) {
      const rowU = (k: string, v: unknown) =>
        `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v === null || v === undefined || v === '' ? '—' : String(v))}</td></tr>`;
      return page(`<h1>DUI d’exemple</h1><p>${c.public === 'aidant' ? 'Aidant' : 'Usager'} connecté : <strong>${escapeHtml(String(c.given_name ?? ''))} ${escapeHtml(String(c.family_name ?? ''))}</strong></p>
<table><caption>Ce que Confiance a transmis</caption><tbody>
${rowU('Nom de naissance', c.family_name)}${rowU('Prénoms', c.given_name)}${rowU('Date de naissance', c.birthdate)}${rowU('Sexe', c.gender)}
${rowU('Lieu de naissance (COG)', c.birthplace)}${rowU('Pays de naissance', c.birthcountry)}${rowU('Moyen', (c.moyen as Record<string, unknown> | undefined)?.libelle)}${rowU('acr', session.acr)}
</tbody></table>
<form method="post" action="/logout"><p><button type="submit">Se déconnecter</button></p></form>`);
    }
    const situation = (c.situation ?? {}) as Record<string, unknown>;
    const moyen = (c.moyen ?? {}) as Record<string, unknown>;
    const row = (k: string, v: unknown) =>
      `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v === null || v === undefined ? '—' : String(v))}</td></tr>`;
    return page(`<h1>DUI d’exemple</h1><p>Connecté : <strong>${escapeHtml(String(c.prenom_exercice ?? ''))} ${escapeHtml(String(c.nom_exercice ?? ''))}</strong></p>
<table><caption>Ce que Confiance a transmis</caption><tbody>
${labels.map(([k, label]) => row(label, c[k])).join('')}
${row('FINESS de l’établissement', situation.finess_eg)}${row('FINESS juridique', situation.finess_ej)}
${row('Structure', situation.raison_sociale)}${row('Situation vérifiée dans l’annuaire', situation.verifiee_annuaire ? 'oui' : 'non')}
${row('Moyen', moyen.libelle)}${row('acr', session.acr)}${row('amr', Array.isArray(session.amr) ? session.amr.join(', ') : session.amr)}
</tbody></table>
<details><summary>Réponse userinfo complète</summary><pre>${escapeHtml(JSON.stringify(c, null, 2))}</pre></details>
<form method="post" action="/logout"><p><button type="submit">Se déconnecter</button></p></form>`);
  });

  app.get<{ Querystring: { public?: string } }>('/login', async (request, reply) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    pending.set(state, { verifier, nonce });
    const url = oidc.buildAuthorizationUrl(await config(), {
      redirect_uri: `${base}/callback`,
      scope:
        request.query.public === 'usager' || request.query.public === 'aidant'
          ? `openid profile ${request.query.public}`
          : 'openid profile professionnel',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return reply.redirect(url.href, 303);
  });

  app.get<{ Querystring: { state?: string } }>('/callback', async (request, reply) => {
    const state = request.query.state ?? '';
    const p = pending.get(state);
    pending.delete(state);
    if (!p)
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(page('<h1>Retour inattendu</h1><p>state inconnu.</p>'));
    const cfg = await config();
    const tokens = await oidc.authorizationCodeGrant(cfg, new URL(request.url, base), {
      pkceCodeVerifier: p.verifier,
      expectedState: state,
      expectedNonce: p.nonce,
    });
    const idClaims = tokens.claims();
    const claims = (await oidc.fetchUserInfo(cfg, tokens.access_token, String(idClaims?.sub))) as Record<
      string,
      unknown
    >;
    const id = randomBytes(18).toString('base64url');
    sessions.set(id, { claims, idToken: tokens.id_token ?? null, acr: idClaims?.acr, amr: idClaims?.amr });
    reply.setCookie('dui_session', id, { path: '/', httpOnly: true, sameSite: 'lax' });
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (request, reply) => {
    const id = request.cookies.dui_session ?? '';
    const session = sessions.get(id);
    sessions.delete(id);
    reply.clearCookie('dui_session', { path: '/' });
    if (!session?.idToken) return reply.redirect('/', 303);
    const url = oidc.buildEndSessionUrl(await config(), {
      id_token_hint: session.idToken,
      post_logout_redirect_uri: `${base}/`,
    });
    return reply.redirect(url.href, 303);
  });

  await app.listen({ port: options.port, host: '127.0.0.1' });
  return { url: base, close: () => app.close() };
}
