import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.ts';
import { appendEvent } from '../../audit/append.ts';
import type { TypedApp } from '../../http/typed.ts';
import { keyEnrolmentPage } from '../../web/pages/connexion.ts';
import { upsertAccount } from '../accounts.ts';
import { LocalAccountError } from '../local/accounts.ts';
import {
  authenticationOptions,
  enrolmentHolder,
  type RelyingParty,
  registerKey,
  registrationOptions,
  verifyKey,
} from '../local/security-keys.ts';
import { databaseAdapter } from '../oidc/adapter.ts';
import { getClient } from '../oidc/clients.ts';
import { decideLogin, means } from '../policy/rie.ts';
import { fallbackProfile, html, isRemote } from './shared.ts';

const Token = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{32}$' }) });
const Uid = Type.Object({ uid: Type.String({ pattern: '^[A-Za-z0-9_-]{10,64}$' }) });
// The browser's JSON form of a WebAuthn answer; @simplewebauthn/server checks every field of it.
const KeyAnswer = Type.Object(
  {
    response: Type.Object(
      {
        id: Type.String({ maxLength: 1400 }),
        rawId: Type.String({ maxLength: 1400 }),
        type: Type.Literal('public-key'),
        response: Type.Record(Type.String(), Type.Unknown()),
        clientExtensionResults: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        authenticatorAttachment: Type.Optional(Type.String({ maxLength: 40 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const refuse = (reply: FastifyReply, status: number, message: string) => reply.code(status).send({ message });

/**
 * Security keys: the enrolment page an administrator's one-time link opens (`/connexion/cle/:token`), and the
 * login with a key on the login pages, where the RIE admits the hub's own means.
 */
export async function securityKeyRoutes(app: TypedApp, ctx: AppContext, hub: Provider): Promise<void> {
  const base = new URL(ctx.config.baseUrl);
  const rp: RelyingParty = { id: base.hostname, origin: base.origin };
  const challenges = new (databaseAdapter(ctx.database))('KeyChallenge');
  const now = () => ctx.now?.() ?? new Date();
  const audit = (
    request: FastifyRequest,
    action: string,
    outcome: 'success' | 'denied',
    idNat: string | null,
    details: Record<string, unknown> = {},
  ) =>
    appendEvent(ctx.database, {
      action,
      outcome,
      actor: { kind: 'professional', id: idNat ?? `inconnu@${request.ip}` },
      mie: { means: 'fido2' },
      requestId: request.id,
      details,
    });

  app.get('/connexion/cle/:token', { schema: { hide: true, params: Token } }, async (request, reply) => {
    const holder = await enrolmentHolder(ctx.database, request.params.token);
    return html(
      reply,
      keyEnrolmentPage({ action: `/connexion/cle/${request.params.token}`, holder }),
      holder ? 200 : 404,
    );
  });

  app.post(
    '/connexion/cle/:token/options',
    { schema: { hide: true, params: Token } },
    async (request, reply) => {
      const holder = await enrolmentHolder(ctx.database, request.params.token);
      if (!holder) return refuse(reply, 404, 'Lien d’enregistrement inconnu, expiré ou déjà utilisé.');
      const options = await registrationOptions(ctx.database, rp, holder);
      await challenges.upsert(`enrol:${request.params.token}`, { challenge: options.challenge }, 300);
      return options;
    },
  );

  app.post(
    '/connexion/cle/:token',
    {
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: { hide: true, params: Token, body: KeyAnswer },
    },
    async (request, reply) => {
      const key = `enrol:${request.params.token}`;
      const pending = await challenges.find(key);
      await challenges.destroy(key);
      if (!pending?.challenge)
        return refuse(reply, 400, 'Demande expirée : rechargez la page et recommencez.');
      try {
        const idNat = await registerKey(
          ctx.database,
          rp,
          request.params.token,
          String(pending.challenge),
          request.body.response as never,
        );
        await audit(request, 'auth.local.key.enrol', 'success', idNat);
        return { message: 'Clé enregistrée : elle pourra servir à vous connecter là où ce moyen est admis.' };
      } catch (e) {
        if (!(e instanceof LocalAccountError)) throw e;
        await audit(request, 'auth.local.key.enrol', 'denied', null, { reason: e.message });
        return refuse(reply, 400, e.message);
      }
    },
  );

  /** Whether the RIE admits a security key for this interaction's DUI, now, from where the request comes. */
  const admitted = async (request: FastifyRequest, clientId: unknown) => {
    const client = await getClient(ctx.database, String(clientId));
    return decideLogin({
      ruleSet: ctx.config.rie,
      population: 'professionnel',
      service: client?.profile ?? fallbackProfile,
      means: 'fido2',
      at: now(),
      remote: isRemote(request.ip),
      homologated: ctx.config.localMeansHomologated,
    });
  };

  app.post(
    '/connexion/:uid/cle/options',
    {
      config: { rateLimit: { max: 20, timeWindow: 60_000 } },
      schema: {
        hide: true,
        params: Uid,
        body: Type.Object({ idnat: Type.String({ maxLength: 20 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const details = await hub.interactionDetails(request.raw, reply.raw).catch(() => null);
      if (!details)
        return refuse(reply, 400, 'Demande de connexion expirée : revenez au logiciel et recommencez.');
      const decision = await admitted(request, details.params.client_id);
      if (!decision.allowed) return refuse(reply, 403, decision.reasons.join(' '));
      const options = await authenticationOptions(ctx.database, rp, request.body.idnat.trim());
      await challenges.upsert(
        `login:${details.uid}`,
        { uid: details.uid, challenge: options.challenge },
        300,
      );
      return options;
    },
  );

  app.post(
    '/connexion/:uid/cle',
    {
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: { hide: true, params: Uid, body: KeyAnswer },
    },
    async (request, reply) => {
      const details = await hub.interactionDetails(request.raw, reply.raw).catch(() => null);
      if (!details)
        return refuse(reply, 400, 'Demande de connexion expirée : revenez au logiciel et recommencez.');
      const key = `login:${details.uid}`;
      const pending = await challenges.find(key);
      await challenges.destroy(key);
      const decision = await admitted(request, details.params.client_id);
      if (!decision.allowed) return refuse(reply, 403, decision.reasons.join(' '));
      const holder = pending?.challenge
        ? await verifyKey(ctx.database, rp, String(pending.challenge), request.body.response as never)
        : null;
      if (!holder) {
        await audit(request, 'auth.login', 'denied', null, {
          client: details.params.client_id,
          reason: 'key',
        });
        return refuse(reply, 401, 'Clé non reconnue pour ce compte, ou demande expirée.');
      }
      const sub = await upsertAccount(ctx.database, 'professionnel', holder.idNat, {
        idnat_ps: holder.idNat,
        rpps: holder.idNat.startsWith('8') ? holder.idNat.slice(1) : null,
        adeli: holder.idNat.startsWith('0') ? holder.idNat.slice(1) : null,
        family_name: holder.nom,
        given_name: holder.prenom,
        nom_exercice: holder.nom,
        prenom_exercice: holder.prenom,
        profession: null,
        situation: null,
        moyen: {
          identifiant: 'fido2',
          libelle: means.fido2.label,
          fournisseur: 'Confiance',
          authMode: null,
          acr: 'eidas2',
        },
      });
      await audit(request, 'auth.login', 'success', holder.idNat, {
        client: details.params.client_id,
        rules: decision.rules,
      });
      // The browser follows this address itself: a fetch cannot hand a redirect to the page.
      const location = await hub.interactionResult(
        request.raw,
        reply.raw,
        { login: { accountId: sub, acr: 'eidas2', amr: ['hwk', 'user'], remember: false } },
        { mergeWithLastSubmission: false },
      );
      return { location };
    },
  );
}
