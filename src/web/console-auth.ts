import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../app-context.ts';
import { appendEvent } from '../audit/append.ts';
import { type ApiScope, apiScopes, authenticateApiToken, tokenStillActive } from '../auth/api-token.ts';
import type { TypedApp } from '../http/typed.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import {
  type ConsoleSession,
  checkCsrf,
  csrfToken,
  decodeSession,
  encodeSession,
  sessionCookie,
  sessionSeconds,
} from './session.ts';

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession?: ConsoleSession;
  }
}

/** Scopes that open the console: the modules with pages behind a session. */
const consoleScopes = /^(identity|readiness|clients):/;

/** A local return path only: an open redirect would send an agent elsewhere after signing in. */
const localPath = (value: unknown) =>
  typeof value === 'string' && /^\/[A-Za-z0-9/_\-.?=&%]*$/.test(value) && !value.startsWith('//')
    ? value
    : '/';

function loginPage(p: {
  error?: string;
  next: string;
  session: ConsoleSession | null;
  csrf: string | null;
}): string {
  return layout({
    title: 'Ouvrir une session',
    body: html`<h1>Ouvrir une session sur la console</h1>
${
  p.session && p.csrf
    ? html`<p role="status">Session ouverte : <strong>${p.session.name}</strong> (droits : ${p.session.scopes.join(', ')}).</p>
<form method="post" action="/session/fin"><input type="hidden" name="csrf" value="${p.csrf}"><button type="submit">Fermer la session</button></form>`
    : html``
}
<p>En attendant la connexion par Pro Santé Connect, un agent ouvre sa session avec son jeton d’accès personnel,
remis par l’administrateur (<code>npx confiance api-token create --nom "Accueil – Mme X" --droits identity:write</code>).
La session dure au plus quatre heures.</p>
${p.error ? html`<p class="notice" role="alert">${p.error}</p>` : html``}
<form method="post" action="/session" class="criteria">
  <input type="hidden" name="retour" value="${p.next}">
  <p><label for="jeton">Jeton d’accès</label>
  <input id="jeton" name="jeton" type="password" autocomplete="off" required maxlength="200"></p>
  <p><button type="submit">Ouvrir la session</button></p>
</form>`,
  });
}

export interface ConsoleGuard {
  /** preHandler: a console session holding `scope`, or the sign-in page (GET) / 403 (other methods). */
  require(scope: ApiScope): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  csrf(session: ConsoleSession): string;
  /** preHandler for form posts: the CSRF token of the session must come with the form. */
  checkForm(request: FastifyRequest): boolean;
  /** The same check for a token read elsewhere (a multipart form's field). */
  checkToken(request: FastifyRequest, token: unknown): boolean;
}

export async function consoleAuthRoutes(app: TypedApp, ctx: AppContext): Promise<ConsoleGuard> {
  await app.register(cookie);
  const secret = ctx.sessionSecret;
  const secure = ctx.config.baseUrl.startsWith('https:');

  const current = async (request: FastifyRequest): Promise<ConsoleSession | null> => {
    const session = decodeSession(secret, request.cookies[sessionCookie]);
    if (!session) return null;
    return (await tokenStillActive(ctx.database, session.tokenId)) ? session : null;
  };

  app.get(
    '/session',
    {
      schema: {
        hide: true,
        querystring: Type.Object(
          { retour: Type.Optional(Type.String({ maxLength: 300 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const session = await current(request);
      reply.type('text/html; charset=utf-8');
      return loginPage({
        next: localPath(request.query.retour),
        session,
        csrf: session ? csrfToken(secret, session) : null,
      });
    },
  );

  app.post(
    '/session',
    {
      // Every sign-in path is throttled: ten attempts a minute per address.
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        hide: true,
        body: Type.Object(
          { jeton: Type.String({ maxLength: 200 }), retour: Type.Optional(Type.String({ maxLength: 300 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const client = await authenticateApiToken(ctx.database, request.body.jeton.trim());
      const next = localPath(request.body.retour);
      if (!client?.scopes.some((s) => consoleScopes.test(s))) {
        await appendEvent(ctx.database, {
          action: 'console.session.open',
          outcome: 'denied',
          // An unknown token names nobody: the attempt is recorded with the address it came from.
          actor: { kind: 'professional', id: client ? `jeton:${client.id}` : `inconnu@${request.ip}` },
          mie: { means: 'jeton-confiance' },
          requestId: request.id,
          details: { reason: client ? 'scope' : 'invalid' },
        });
        reply.code(401).type('text/html; charset=utf-8');
        return loginPage({
          next,
          session: null,
          csrf: null,
          error: client
            ? 'Ce jeton ne donne accès à aucune page de la console (droits identity:…, readiness:… ou clients:… requis).'
            : 'Jeton inconnu, révoqué ou mal recopié.',
        });
      }
      const session: ConsoleSession = {
        tokenId: client.id,
        name: client.name,
        idNat: client.idNat,
        scopes: client.scopes,
        expiresAt: Date.now() + sessionSeconds * 1000,
      };
      reply.setCookie(sessionCookie, encodeSession(secret, session), {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure,
        maxAge: sessionSeconds,
      });
      await appendEvent(ctx.database, {
        action: 'console.session.open',
        outcome: 'success',
        actor: { kind: 'professional', id: `jeton:${client.id}` },
        mie: { means: 'jeton-confiance' },
        requestId: request.id,
        details: { scopes: client.scopes },
      });
      return reply.redirect(next, 303);
    },
  );

  app.post(
    '/session/fin',
    {
      schema: {
        hide: true,
        body: Type.Object({ csrf: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const session = await current(request);
      if (session && checkCsrf(secret, session, request.body.csrf)) {
        reply.clearCookie(sessionCookie, { path: '/' });
        await appendEvent(ctx.database, {
          action: 'console.session.close',
          outcome: 'success',
          actor: { kind: 'professional', id: `jeton:${session.tokenId}` },
          mie: { means: 'jeton-confiance' },
          requestId: request.id,
        });
      }
      return reply.redirect('/session', 303);
    },
  );

  const checkToken = (request: FastifyRequest, token: unknown) => {
    const session = request.consoleSession;
    return !!session && checkCsrf(secret, session, token);
  };

  return {
    require(scope) {
      return async (request, reply) => {
        const session = await current(request);
        // Writing a module's data includes reading it.
        const allowed =
          session?.scopes.includes(scope) ||
          (scope.endsWith(':read') &&
            session?.scopes.includes(scope.replace(/:read$/, ':write') as ApiScope));
        if (session && allowed) {
          request.consoleSession = session;
          return;
        }
        if (request.method === 'GET')
          return reply.redirect(`/session?retour=${encodeURIComponent(request.url)}`, 303);
        reply.code(403).type('text/html; charset=utf-8');
        return reply.send(
          layout({
            title: 'Accès refusé',
            body: html`<h1>Accès refusé</h1><p>Cette action demande une session avec le droit « ${scope} » (${apiScopes[scope]}).
<a href="/session">Ouvrir une session</a>.</p>`,
          }),
        );
      };
    },
    csrf: (session) => csrfToken(secret, session),
    checkForm(request) {
      const body = request.body as { csrf?: unknown } | undefined;
      return checkToken(request, body?.csrf);
    },
    checkToken,
  };
}
