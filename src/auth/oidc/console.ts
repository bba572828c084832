import { Type } from 'typebox';
import type { AppContext } from '../../app-context.ts';
import { appendEvent } from '../../audit/append.ts';
import type { TypedApp } from '../../http/typed.ts';
import type { ConsoleGuard } from '../../web/console-auth.ts';
import { clientsPage } from '../../web/pages/clients.ts';
import { expiredFormPage } from '../../web/pages/errors.ts';
import { type Handover, localAccountsPage } from '../../web/pages/local-accounts.ts';
import {
  enrolLocalAccount,
  LocalAccountError,
  listLocalAccounts,
  removeLocalAccount,
  unlockLocalAccount,
} from '../local/accounts.ts';
import { createEnrolmentLink, revokeKeys } from '../local/security-keys.ts';
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
            finess: Type.Optional(Type.String({ maxLength: 20 })),
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
            structureFiness: b.finess?.trim() || null,
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

  const renderAccounts = async (
    request: import('fastify').FastifyRequest,
    extra: { error?: string; handover?: Handover } = {},
  ) =>
    localAccountsPage({
      accounts: await listLocalAccounts(ctx.database),
      csrf: request.consoleSession?.scopes.includes('clients:write')
        ? guard.csrf(request.consoleSession)
        : null,
      ...extra,
    });
  const auditLocal = (request: import('fastify').FastifyRequest, action: string, idNat: string) =>
    appendEvent(ctx.database, {
      action,
      outcome: 'success',
      actor: { kind: 'professional', id: actor(request) },
      mie: { means: 'jeton-confiance' },
      subject: { type: 'local-account', id: idNat },
      requestId: request.id,
    });

  app.get(
    '/connexion/comptes-locaux',
    { preHandler: canRead, schema: { hide: true } },
    async (request, reply) => reply.type('text/html; charset=utf-8').send(await renderAccounts(request)),
  );

  app.post(
    '/connexion/comptes-locaux',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        body: Type.Object(
          {
            csrf: Type.String({ maxLength: 100 }),
            idnat: Type.String({ maxLength: 20 }),
            nom: Type.String({ maxLength: 100 }),
            prenom: Type.String({ maxLength: 100 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request))
        return reply.code(403).type('text/html; charset=utf-8').send(expiredFormPage());
      reply.type('text/html; charset=utf-8');
      const idNat = request.body.idnat.trim();
      try {
        const e = await enrolLocalAccount(
          ctx.database,
          ctx.sessionSecret,
          { idNat, nom: request.body.nom, prenom: request.body.prenom },
          actor(request),
        );
        await auditLocal(request, 'auth.local.enrol', idNat);
        // Shown on this answer only: no redirect that would lose them.
        return reply.send(
          await renderAccounts(request, {
            handover: {
              idNat,
              lines: [
                ['Mot de passe', e.password],
                ['Secret TOTP', e.totpSecret],
                ['Adresse pour l’application', e.otpauthUri],
              ],
            },
          }),
        );
      } catch (err) {
        if (!(err instanceof LocalAccountError)) throw err;
        return reply.code(400).send(await renderAccounts(request, { error: err.message }));
      }
    },
  );

  const IdNat = Type.Object({
    idnat: Type.String({ pattern: '^(8[0-9]{11}|0[0-9][0-9AB][0-9]{7})$' }),
    action: Type.Union([
      Type.Literal('lien-cle'),
      Type.Literal('revoquer-cles'),
      Type.Literal('deverrouiller'),
      Type.Literal('suppression'),
    ]),
  });
  app.post(
    '/connexion/comptes-locaux/:idnat/:action',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        params: IdNat,
        body: Type.Object({ csrf: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request))
        return reply.code(403).type('text/html; charset=utf-8').send(expiredFormPage());
      const { idnat, action } = request.params;
      reply.type('text/html; charset=utf-8');
      try {
        if (action === 'lien-cle') {
          const token = await createEnrolmentLink(ctx.database, idnat);
          await auditLocal(request, 'auth.local.key.link', idnat);
          return reply.send(
            await renderAccounts(request, {
              handover: {
                idNat: idnat,
                lines: [
                  [
                    'Lien pour enregistrer une clé (24 h, usage unique)',
                    `${ctx.config.baseUrl}/connexion/cle/${token}`,
                  ],
                ],
              },
            }),
          );
        }
        if (action === 'revoquer-cles') await revokeKeys(ctx.database, idnat);
        if (action === 'deverrouiller') await unlockLocalAccount(ctx.database, idnat);
        if (action === 'suppression') await removeLocalAccount(ctx.database, idnat);
        await auditLocal(
          request,
          `auth.local.${{ 'revoquer-cles': 'key.revoke', deverrouiller: 'unlock', suppression: 'remove' }[action]}`,
          idnat,
        );
        return reply.redirect('/connexion/comptes-locaux', 303);
      } catch (err) {
        if (!(err instanceof LocalAccountError)) throw err;
        return reply.code(400).send(await renderAccounts(request, { error: err.message }));
      }
    },
  );
}
