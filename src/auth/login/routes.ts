import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type Provider from 'oidc-provider';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.ts';
import { appendEvent } from '../../audit/append.ts';
import type { TypedApp } from '../../http/typed.ts';
import {
  loginChoicePage,
  loginRefusedPage,
  type MeansOffer,
  situationPage,
} from '../../web/pages/connexion.ts';
import { upsertAccount } from '../accounts.ts';
import type { PendingLogin, PscIdentity } from '../broker/psc.ts';
import type { Situation } from '../broker/situations.ts';
import { authenticateLocal } from '../local/accounts.ts';
import { databaseAdapter } from '../oidc/adapter.ts';
import { getClient } from '../oidc/clients.ts';
import { decideLogin, means, ruleSetLabels, sessionLimits } from '../policy/rie.ts';
import { pscIdTokens, pscLogoutReturn } from './psc-logout.ts';
import { securityKeyRoutes } from './security-key.ts';
import {
  fallbackProfile,
  html,
  isRemote,
  populationOf,
  type UpstreamLogin,
  upstreamReturn,
  upstreamStart,
} from './shared.ts';
import { usagerLoginRoutes } from './usager.ts';

const Uid = Type.Object({ uid: Type.String({ pattern: '^[A-Za-z0-9_-]{10,64}$' }) });

type PscLogin = UpstreamLogin<PendingLogin, PscIdentity>;

/**
 * The login pages the provider sends people to (`/connexion/:uid`): the means the RIE allows for this DUI at this
 * date, the round trip to Pro Santé Connect, the choice of a situation d'exercice, then back to the provider.
 */
export async function loginRoutes(app: TypedApp, ctx: AppContext, hub: Provider): Promise<void> {
  await app.register(formbody);
  // A login form ends in redirects to Pro Santé Connect and to the DUI, other origins that the console's
  // `form-action 'self'` would block in the browser: these pages drop that one directive.
  app.addHook('onSend', async (_request, reply, payload) => {
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string')
      reply.header('content-security-policy', csp.replace(/form-action[^;]*;?/, ''));
    return payload;
  });
  await usagerLoginRoutes(app, ctx, hub);
  await securityKeyRoutes(app, ctx, hub);
  await pscLogoutReturn(app, ctx);
  const pscTokens = pscIdTokens(ctx);
  const Store = databaseAdapter(ctx.database);
  const pscLogins = new Store('PscLogin');
  const now = () => ctx.now?.() ?? new Date();

  const audit = (
    request: FastifyRequest,
    outcome: 'success' | 'denied' | 'failure',
    details: Record<string, unknown>,
    who: { idNat?: string; means?: string; acr?: string; finess?: string | null } = {},
  ) =>
    appendEvent(ctx.database, {
      action: 'auth.login',
      outcome,
      actor: { kind: 'professional', id: who.idNat ?? `inconnu@${request.ip}` },
      structureFiness: who.finess ?? null,
      mie: { means: who.means ?? 'aucun', level: who.acr ?? null },
      requestId: request.id,
      details,
    });

  app.get('/connexion/:uid', { schema: { hide: true, params: Uid } }, async (request, reply) => {
    const details = await hub.interactionDetails(request.raw, reply.raw).catch(() => null);
    if (!details)
      return html(
        reply,
        loginRefusedPage({
          title: 'Demande de connexion expirée',
          detail: 'Cette demande de connexion n’existe plus. Revenez au logiciel et recommencez.',
          retry: null,
        }),
        400,
      );
    const client = await getClient(ctx.database, String(details.params.client_id));
    if (!client)
      return html(
        reply,
        loginRefusedPage({
          title: 'Logiciel inconnu',
          detail: 'Ce logiciel n’est plus enregistré.',
          retry: null,
        }),
        400,
      );
    const at = now();
    const remote = isRemote(request.ip);
    const decide = (m: keyof typeof means) =>
      decideLogin({
        homologated: ctx.config.localMeansHomologated,
        ruleSet: ctx.config.rie,
        population: 'professionnel',
        service: client.profile,
        means: m,
        at,
        remote,
      });
    const population = populationOf(details.params.scope);
    const offers: MeansOffer[] =
      population !== 'professionnel'
        ? [
            {
              id: 'franceconnect',
              label: 'FranceConnect+',
              decision: decideLogin({
                ruleSet: ctx.config.rie,
                population,
                service: client.profile,
                means: 'fc-plus',
                at,
                remote,
              }),
              action: ctx.franceconnect ? `/connexion/${details.uid}/franceconnect` : null,
              password: false,
            },
          ]
        : [
            {
              id: 'psc',
              label: 'Pro Santé Connect (e-CPS ou carte CPS)',
              decision: decide('psc-e-cps'),
              action: ctx.psc ? `/connexion/${details.uid}/psc` : null,
              password: false,
            },
            {
              id: 'cle',
              label: means.fido2.label,
              decision: decide('fido2'),
              action: `/connexion/${details.uid}/cle`,
              password: false,
              key: true,
            },
            {
              id: 'mot-de-passe',
              label: means['password-totp'].label,
              decision: decide('password-totp'),
              action: `/connexion/${details.uid}/mot-de-passe`,
              password: true,
            },
          ];
    return html(
      reply,
      loginChoicePage({ client: client.name, offers, ruleSet: ruleSetLabels[ctx.config.rie], at }),
    );
  });

  app.post(
    '/connexion/:uid/mot-de-passe',
    {
      // Every login path is throttled per address, besides the per-account back-off and lock.
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        hide: true,
        params: Uid,
        body: Type.Object(
          {
            idnat: Type.String({ maxLength: 20 }),
            motDePasse: Type.String({ maxLength: 200 }),
            code: Type.String({ maxLength: 10 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const details = await hub.interactionDetails(request.raw, reply.raw).catch(() => null);
      const retry = `/connexion/${request.params.uid}`;
      if (!details)
        return html(
          reply,
          loginRefusedPage({
            title: 'Demande de connexion expirée',
            detail: 'Revenez au logiciel et recommencez.',
            retry: null,
          }),
          400,
        );
      const client = await getClient(ctx.database, String(details.params.client_id));
      const decision = decideLogin({
        ruleSet: ctx.config.rie,
        population: 'professionnel',
        service: client?.profile ?? fallbackProfile,
        means: 'password-totp',
        at: now(),
        remote: isRemote(request.ip),
        homologated: ctx.config.localMeansHomologated,
      });
      const idNat = request.body.idnat.trim();
      if (!decision.allowed) {
        await audit(
          request,
          'denied',
          { client: details.params.client_id, rules: decision.rules },
          { idNat, means: 'password-totp' },
        );
        return html(
          reply,
          loginRefusedPage({ title: 'Moyen non admis', detail: decision.reasons.join(' '), retry }),
          403,
        );
      }
      const result = await authenticateLocal(
        ctx.database,
        ctx.sessionSecret,
        { idNat, password: request.body.motDePasse, code: request.body.code.trim() },
        now(),
      );
      if (!result.ok) {
        await audit(
          request,
          'denied',
          { client: details.params.client_id, reason: result.throttled ? 'throttled' : 'credentials' },
          { idNat, means: 'password-totp' },
        );
        return html(
          reply,
          loginRefusedPage({ title: 'Connexion refusée', detail: result.reason, retry }),
          401,
        );
      }
      const sub = await upsertAccount(ctx.database, 'professionnel', result.idNat, {
        idnat_ps: result.idNat,
        rpps: result.idNat.startsWith('8') ? result.idNat.slice(1) : null,
        adeli: result.idNat.startsWith('0') ? result.idNat.slice(1) : null,
        family_name: result.nom,
        given_name: result.prenom,
        nom_exercice: result.nom,
        prenom_exercice: result.prenom,
        profession: null,
        situation: null,
        moyen: {
          identifiant: 'password-totp',
          libelle: means['password-totp'].label,
          fournisseur: 'Confiance',
          authMode: null,
          acr: 'eidas1',
        },
      });
      await audit(
        request,
        'success',
        { client: details.params.client_id, rules: decision.rules },
        { idNat: result.idNat, means: 'password-totp', acr: 'eidas1' },
      );
      reply.hijack();
      await hub.interactionFinished(
        request.raw,
        reply.raw,
        { login: { accountId: sub, acr: 'eidas1', amr: ['pwd', 'otp'], remember: false } },
        { mergeWithLastSubmission: false },
      );
    },
  );

  upstreamStart<PendingLogin>(app, {
    path: '/connexion/:uid/psc',
    provider: 'Pro Santé Connect',
    hub,
    store: pscLogins,
    start: () => ctx.psc?.start() ?? null,
    audit: (request, outcome, details) => audit(request, outcome, details, { means: 'psc' }),
  });

  upstreamReturn<PendingLogin, PscIdentity>(app, {
    path: '/connexion/psc/retour',
    provider: 'Pro Santé Connect',
    store: pscLogins,
    broker: () => ctx.psc,
    next: (uid) => `/connexion/${uid}/situation`,
    audit: (request, outcome, details) => audit(request, outcome, details, { means: 'psc' }),
  });

  /** The PSC login of this interaction, once PSC has answered. */
  const identityOf = async (uid: string) => {
    const row = (await pscLogins.findByUid(uid)) as PscLogin | undefined;
    return row?.identity ?? null;
  };

  const withDirectory = async (identity: PscIdentity) => {
    const r = await sql<{ finess_site: string }>`select distinct finess_site from dir_activity
      where id_nat = ${identity.idNat} and active and finess_site is not null`.execute(ctx.database.db);
    const known = new Set(r.rows.map((x) => x.finess_site));
    return identity.situations.map((s) => ({ ...s, verified: !!s.finessSite && known.has(s.finessSite) }));
  };

  const finish = async (
    request: FastifyRequest,
    reply: FastifyReply,
    identity: PscIdentity,
    situation: (Situation & { verified: boolean }) | null,
  ) => {
    const details = await hub.interactionDetails(request.raw, reply.raw);
    const meansId = identity.authMode === 'CARD' ? 'psc-cps' : 'psc-e-cps';
    const client = await getClient(ctx.database, String(details.params.client_id));
    const decision = decideLogin({
      ruleSet: ctx.config.rie,
      population: 'professionnel',
      service: client?.profile ?? {
        processesHealthData: true,
        shared: false,
        integratesShared: true,
        externalAccess: true,
        newUsagersPerYear: 0,
        professionalsPerYear: 0,
      },
      means: meansId,
      at: now(),
      remote: isRemote(request.ip),
    });
    if (!decision.allowed) {
      await audit(
        request,
        'denied',
        { client: details.params.client_id, rules: decision.rules },
        { idNat: identity.idNat, means: meansId, acr: identity.acr },
      );
      return html(
        reply,
        loginRefusedPage({ title: 'Connexion refusée', detail: decision.reasons.join(' '), retry: null }),
        403,
      );
    }
    const idNat = identity.idNat;
    const first = identity.situations[0];
    const sub = await upsertAccount(ctx.database, 'professionnel', idNat, {
      idnat_ps: idNat,
      rpps: idNat.startsWith('8') ? idNat.slice(1) : null,
      adeli: idNat.startsWith('0') ? idNat.slice(1) : null,
      family_name: identity.familyName,
      given_name: identity.givenName,
      nom_exercice: situation?.nomExercice ?? first?.nomExercice ?? identity.familyName,
      prenom_exercice: situation?.prenomExercice ?? first?.prenomExercice ?? identity.givenName,
      profession: situation?.professionCode ?? first?.professionCode ?? null,
      situation: situation
        ? {
            finess_eg: situation.finessSite,
            finess_ej: situation.finessEj,
            siret: situation.siret,
            raison_sociale: situation.raisonSociale,
            role: situation.roleCode,
            mode: situation.modeCode,
            verifiee_annuaire: situation.verified,
          }
        : null,
      moyen: {
        identifiant: meansId,
        libelle: means[meansId].label,
        fournisseur: 'Pro Santé Connect',
        authMode: identity.authMode,
        acr: identity.acr,
      },
    });
    await audit(
      request,
      'success',
      {
        client: details.params.client_id,
        authMode: identity.authMode,
        rules: decision.rules,
        situationVerified: situation?.verified ?? null,
      },
      { idNat, means: meansId, acr: identity.acr, finess: situation?.finessSite ?? null },
    );
    if (identity.idToken)
      await pscTokens.keep(sub, identity.idToken, sessionLimits[ctx.config.rie].absoluteSeconds);
    reply.hijack();
    await hub.interactionFinished(
      request.raw,
      reply.raw,
      { login: { accountId: sub, acr: identity.acr, amr: identity.amr, remember: false } },
      { mergeWithLastSubmission: false },
    );
  };

  app.get('/connexion/:uid/situation', { schema: { hide: true, params: Uid } }, async (request, reply) => {
    const identity = await identityOf(request.params.uid);
    if (!identity) return reply.redirect(`/connexion/${request.params.uid}`, 303);
    const situations = await withDirectory(identity);
    if (situations.length <= 1) return finish(request, reply, identity, situations[0] ?? null);
    // The situation at the structure the DUI serves comes first, then one the directory confirms.
    const details = await hub.interactionDetails(request.raw, reply.raw);
    const structure =
      (await getClient(ctx.database, String(details.params.client_id)))?.structureFiness ?? null;
    const preselected =
      (structure && situations.find((s) => s.finessSite === structure || s.finessEj === structure)?.key) ||
      (situations.find((s) => s.verified)?.key ?? null);
    return html(
      reply,
      situationPage({
        action: `/connexion/${request.params.uid}/situation`,
        name: [identity.givenName, identity.familyName].filter(Boolean).join(' '),
        situations,
        preselected,
      }),
    );
  });

  app.post(
    '/connexion/:uid/situation',
    {
      schema: {
        hide: true,
        params: Uid,
        body: Type.Object({ situation: Type.String({ maxLength: 20 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const identity = await identityOf(request.params.uid);
      if (!identity) return reply.redirect(`/connexion/${request.params.uid}`, 303);
      const situations = await withDirectory(identity);
      const chosen = situations.find((s) => s.key === request.body.situation);
      if (!chosen) return reply.redirect(`/connexion/${request.params.uid}/situation`, 303);
      return finish(request, reply, identity, chosen);
    },
  );
}
