import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AdapterPayload } from 'oidc-provider';
import { type Static, Type } from 'typebox';
import type { TypedApp } from '../../http/typed.ts';
import { loginRefusedPage } from '../../web/pages/connexion.ts';
import { BrokerError } from '../broker/psc.ts';
import type { databaseAdapter } from '../oidc/adapter.ts';

/** Loopback and private ranges are the structure's network; anything else is a remote access for the RIE. */
export function isRemote(ip: string): boolean {
  if (isIP(ip) === 0) return true;
  const v4 = ip.replace(/^::ffff:/, '');
  return !(
    /^127\./.test(v4) ||
    /^10\./.test(v4) ||
    /^192\.168\./.test(v4) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(v4) ||
    ip === '::1' ||
    /^f[cd]/i.test(ip)
  );
}

/** Who logs in, from the scopes the DUI asks for: `aidant`, `usager`, or a professional by default. */
export function populationOf(scope: unknown): 'professionnel' | 'usager' | 'aidant' {
  const s = String(scope ?? '');
  return /\baidant\b/.test(s) ? 'aidant' : /\busager\b/.test(s) ? 'usager' : 'professionnel';
}

/** A client that vanished mid-login is judged as the most exposed service. */
export const fallbackProfile = {
  processesHealthData: true,
  shared: true,
  integratesShared: true,
  externalAccess: true,
  newUsagersPerYear: 0,
  professionalsPerYear: 0,
};

export const html = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').send(body);

/** Where upstream logins are kept: the hub's storage, under their own model. */
type UpstreamStore = InstanceType<ReturnType<typeof databaseAdapter>>;

/** What an upstream login (PSC, FC+) keeps between the redirect and the return: one record per `state`. */
export interface UpstreamLogin<P, I> extends AdapterPayload {
  uid: string;
  pending: P;
  identity?: I;
}

/** The query an identity provider returns with, bounded. */
export const UpstreamReturn = Type.Object({
  state: Type.Optional(Type.String({ maxLength: 200 })),
  code: Type.Optional(Type.String({ maxLength: 2000 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 1000 })),
  iss: Type.Optional(Type.String({ maxLength: 500 })),
  session_state: Type.Optional(Type.String({ maxLength: 500 })),
});

/**
 * The return from an upstream identity provider: the `state` must name a pending login, used once; the code is
 * exchanged by the broker; the identity is kept for the interaction, whose own page finishes the login (the
 * interaction cookie is bound to the interaction's path, not to this one).
 */
export function upstreamReturn<P, I>(
  app: TypedApp,
  o: {
    path: string;
    provider: string;
    store: UpstreamStore;
    broker: () => { redirectUri: string; finish(url: URL, pending: P): Promise<I> } | null | undefined;
    next: (uid: string) => string;
    audit: (request: FastifyRequest, outcome: 'denied', details: Record<string, unknown>) => Promise<unknown>;
  },
): void {
  app.get(o.path, { schema: { hide: true, querystring: UpstreamReturn } }, async (request, reply) => {
    const query = request.query as Static<typeof UpstreamReturn>;
    const state = query.state ?? '';
    const broker = o.broker();
    const login =
      state && broker ? ((await o.store.take(state)) as UpstreamLogin<P, I> | undefined) : undefined;
    if (!login || !broker) {
      await o.audit(request, 'denied', { reason: 'state' });
      return html(
        reply,
        loginRefusedPage({
          title: `Retour de ${o.provider} refusé`,
          detail:
            'Ce retour ne correspond à aucune connexion en cours (paramètre state inconnu, expiré ou déjà utilisé).',
          retry: null,
        }),
        400,
      );
    }
    const retry = `/connexion/${login.uid}`;
    if (query.error) {
      await o.audit(request, 'denied', { reason: query.error });
      return html(
        reply,
        loginRefusedPage({
          title: 'Connexion annulée',
          detail: `${o.provider} a répondu : ${query.error}.`,
          retry,
        }),
        400,
      );
    }
    try {
      const identity = await broker.finish(new URL(request.url, broker.redirectUri), login.pending);
      await o.store.upsert(state, { ...login, identity, consumed: Math.floor(Date.now() / 1000) }, 600);
      return reply.redirect(o.next(login.uid), 303);
    } catch (e) {
      if (!(e instanceof BrokerError)) throw e;
      await o.audit(request, 'denied', { reason: e.code, detail: e.message });
      return html(reply, loginRefusedPage({ title: 'Connexion refusée', detail: e.message, retry }), 400);
    }
  });
}

/**
 * Sending the person to an upstream identity provider: the interaction must still be pending; the broker's
 * pending login (state, nonce, verifier) is kept server-side, keyed by `state`, for ten minutes.
 */
export function upstreamStart<P extends { state: string }>(
  app: TypedApp,
  o: {
    path: string;
    provider: string;
    hub: Provider;
    store: UpstreamStore;
    start: (
      details: Awaited<ReturnType<Provider['interactionDetails']>>,
    ) => Promise<{ url: string; pending: P }> | null;
    audit: (
      request: FastifyRequest,
      outcome: 'failure',
      details: Record<string, unknown>,
    ) => Promise<unknown>;
  },
): void {
  app.post(
    o.path,
    {
      schema: {
        hide: true,
        params: Type.Object({ uid: Type.String({ pattern: '^[A-Za-z0-9_-]{10,64}$' }) }),
      },
    },
    async (request, reply) => {
      const details = await o.hub.interactionDetails(request.raw, reply.raw).catch(() => null);
      const started = details ? o.start(details) : null;
      if (!details || !started)
        return html(
          reply,
          loginRefusedPage({
            title: 'Connexion impossible',
            detail: `${o.provider} n’est pas configuré ou la demande a expiré.`,
            retry: null,
          }),
          400,
        );
      try {
        const { url, pending } = await started;
        await o.store.upsert(pending.state, { uid: details.uid, pending }, 600);
        return reply.redirect(url, 303);
      } catch (e) {
        if (!(e instanceof BrokerError)) throw e;
        await o.audit(request, 'failure', { reason: e.code });
        return html(
          reply,
          loginRefusedPage({
            title: `${o.provider} indisponible`,
            detail: e.message,
            retry: `/connexion/${details.uid}`,
          }),
          502,
        );
      }
    },
  );
}
