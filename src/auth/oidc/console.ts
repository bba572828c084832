import { Type } from 'typebox';
import type { AppContext } from '../../app-context.ts';
import type { TypedApp } from '../../http/typed.ts';
import type { ConsoleGuard } from '../../web/console-auth.ts';
import { clientsPage } from '../../web/pages/clients.ts';
import { expiredFormPage } from '../../web/pages/errors.ts';
import { ruleSetLabels } from '../policy/rie.ts';
import { addClient, ClientError, listClients, removeClient } from './clients.ts';
import { oidcPrefix } from './routes.ts';

const lines = (v: string | undefined) =>
  (v ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const Checkbox = Type.Optional(Type.Literal('on'));

/** The console page of the DUIs that delegate their login (`/connexion`), behind `clients:*` sessions. */
export async function clientsConsoleRoutes(
  app: TypedApp,
  ctx: AppContext,
  guard: ConsoleGuard,
): Promise<void> {
  const canRead = guard.require('clients:read');
  const canWrite = guard.require('clients:write');
  const render = async (
    request: import('fastify').FastifyRequest,
    extra: { error?: string; created?: { clientId: string; clientSecret: string | null } } = {},
  ) =>
    clientsPage({
      clients: await listClients(ctx.database),
      csrf: request.consoleSession?.scopes.includes('clients:write')
        ? guard.csrf(request.consoleSession)
        : null,
      issuer: `${ctx.config.baseUrl}${oidcPrefix}`,
      ruleSet: ruleSetLabels[ctx.config.rie],
      ...extra,
    });
  const actor = (request: import('fastify').FastifyRequest) =>
    request.consoleSession?.idNat ?? `jeton:${request.consoleSession?.tokenId ?? 'inconnu'}`;

  app.get('/connexion', { preHandler: canRead, schema: { hide: true } }, async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(await render(request)),
  );

  app.post(
    '/connexion/clients',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        body: Type.Object(
          {
            csrf: Type.String({ maxLength: 100 }),
            nom: Type.String({ maxLength: 200 }),
            retours: Type.String({ maxLength: 2000 }),
            retoursDeconnexion: Type.Optional(Type.String({ maxLength: 2000 })),
            canalArriere: Type.Optional(Type.String({ maxLength: 500 })),
            jwksUri: Type.Optional(Type.String({ maxLength: 500 })),
            donneesSante: Checkbox,
            partage: Checkbox,
            servicePartage: Checkbox,
            accesExterieur: Checkbox,
            usagers: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
            professionnels: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request))
        return reply.code(403).type('text/html; charset=utf-8').send(expiredFormPage());
      const b = request.body;
      reply.type('text/html; charset=utf-8');
      try {
        const created = await addClient(
          ctx.database,
          {
            name: b.nom,
            redirectUris: lines(b.retours),
            postLogoutRedirectUris: lines(b.retoursDeconnexion),
            backchannelLogoutUri: b.canalArriere?.trim() || null,
            auth: b.jwksUri?.trim()
              ? { method: 'private_key_jwt', jwksUri: b.jwksUri.trim() }
              : { method: 'client_secret_basic' },
            profile: {
              processesHealthData: !!b.donneesSante,
              shared: !!b.partage,
              integratesShared: !!b.servicePartage,
              externalAccess: !!b.accesExterieur,
              newUsagersPerYear: b.usagers,
              professionalsPerYear: b.professionnels,
            },
          },
          actor(request),
        );
        // The secret is shown on this answer only: no redirect that would lose it.
        return reply.send(await render(request, { created }));
      } catch (e) {
        if (!(e instanceof ClientError)) throw e;
        return reply.code(400).send(await render(request, { error: e.message }));
      }
    },
  );

  app.post(
    '/connexion/clients/:id/suppression',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        params: Type.Object({ id: Type.String({ pattern: '^dui_[A-Za-z0-9_-]{6,30}$' }) }),
        body: Type.Object({ csrf: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request))
        return reply.code(403).type('text/html; charset=utf-8').send(expiredFormPage());
      try {
        await removeClient(ctx.database, request.params.id, actor(request));
      } catch (e) {
        if (!(e instanceof ClientError)) throw e;
        return reply
          .code(404)
          .type('text/html; charset=utf-8')
          .send(await render(request, { error: e.message }));
      }
      return reply.redirect('/connexion', 303);
    },
  );
}
