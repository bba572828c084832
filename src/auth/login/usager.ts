import type { FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.ts';
import { appendEvent } from '../../audit/append.ts';
import type { TypedApp } from '../../http/typed.ts';
import { upsertAccount } from '../accounts.ts';
import type { FranceConnectIdentity, PendingFcLogin } from '../broker/franceconnect.ts';
import { databaseAdapter } from '../oidc/adapter.ts';
import { encryptionKey } from '../oidc/keys.ts';
import { means } from '../policy/rie.ts';
import { populationOf, type UpstreamLogin, upstreamReturn, upstreamStart } from './shared.ts';

type FcLogin = UpstreamLogin<PendingFcLogin, FranceConnectIdentity>;

const Uid = Type.Object({ uid: Type.String({ pattern: '^[A-Za-z0-9_-]{10,64}$' }) });

/**
 * The usagers' path of the login pages: FranceConnect+ (eidas2, or eidas3 when the DUI asks for it), the hub's
 * encryption keys published for FC+, and the identité pivot given to the DUI.
 */
export async function usagerLoginRoutes(app: TypedApp, ctx: AppContext, hub: Provider): Promise<void> {
  const Store = databaseAdapter(ctx.database);
  const fcLogins = new Store('FcLogin');

  // An usager is named by Confiance's own identifier (the account's sub, once known), never by a trait.
  const audit = (
    request: FastifyRequest,
    outcome: 'success' | 'denied' | 'failure',
    details: Record<string, unknown>,
    who: { sub?: string; acr?: string; kind?: 'usager' | 'aidant' } = {},
  ) =>
    appendEvent(ctx.database, {
      action: 'auth.login',
      outcome,
      actor: { kind: who.kind ?? 'usager', id: who.sub ?? `inconnu@${request.ip}` },
      mie: { means: 'fc-plus', level: who.acr ?? null },
      requestId: request.id,
      details,
    });

  // FranceConnect+ encrypts what it returns to the hub with these keys.
  app.get('/connexion/jwks', { schema: { hide: true } }, async () => {
    const k = await encryptionKey(ctx.database);
    return { keys: [{ kty: k.kty, n: k.n, e: k.e, kid: k.kid, alg: 'RSA-OAEP', use: 'enc' }] };
  });

  upstreamStart<PendingFcLogin>(app, {
    path: '/connexion/:uid/franceconnect',
    provider: 'FranceConnect+',
    hub,
    store: fcLogins,
    // The DUI may ask for the highest level; FC+ then returns eidas3 or refuses.
    start: (details) =>
      ctx.franceconnect?.start(
        /\beidas3\b/.test(String(details.params.acr_values ?? '')) ? 'eidas3' : 'eidas2',
      ) ?? null,
    audit: (request, outcome, details) => audit(request, outcome, details),
  });

  upstreamReturn<PendingFcLogin, FranceConnectIdentity>(app, {
    path: '/connexion/franceconnect/retour',
    provider: 'FranceConnect+',
    store: fcLogins,
    broker: () => ctx.franceconnect,
    next: (uid) => `/connexion/${uid}/franceconnect/fin`,
    audit: (request, outcome, details) => audit(request, outcome, details),
  });

  app.get(
    '/connexion/:uid/franceconnect/fin',
    { schema: { hide: true, params: Uid } },
    async (request, reply) => {
      const row = (await fcLogins.findByUid(request.params.uid)) as FcLogin | undefined;
      const identity = row?.identity;
      if (!identity) return reply.redirect(`/connexion/${request.params.uid}`, 303);
      const details = await hub.interactionDetails(request.raw, reply.raw);
      // An aidant and an usager are separate accounts even for one person: the DUI asked for one or the other.
      const kind = populationOf(details.params.scope) === 'aidant' ? 'aidant' : 'usager';
      const sub = await upsertAccount(ctx.database, kind, identity.sub, {
        family_name: identity.familyName,
        given_name: identity.givenName,
        birthdate: identity.birthdate,
        gender: identity.gender,
        birthplace: identity.birthplace,
        birthcountry: identity.birthcountry,
        preferred_username: identity.preferredUsername,
        public: kind,
        moyen: {
          identifiant: 'fc-plus',
          libelle: means['fc-plus'].label,
          fournisseur: 'FranceConnect+',
          acr: identity.acr,
        },
      });
      await audit(
        request,
        'success',
        { client: details.params.client_id, public: kind },
        { sub, acr: identity.acr, kind },
      );
      reply.hijack();
      await hub.interactionFinished(
        request.raw,
        reply.raw,
        { login: { accountId: sub, acr: identity.acr, amr: identity.amr, remember: false } },
        { mergeWithLastSubmission: false },
      );
    },
  );
}
