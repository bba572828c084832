import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../app-context.ts';
import { requireScope } from '../auth/api-auth.ts';
import { FhirError } from '../directory/fhir/errors.ts';
import type { TypedApp } from '../http/typed.ts';
import type { ConsoleGuard } from '../web/console-auth.ts';
import { html } from '../web/html.ts';
import { layout } from '../web/layout.ts';
import { expiredFormPage } from '../web/pages/errors.ts';
import { admissionPage, reviewPage, usagerPage, usagersPage } from '../web/pages/usagers.ts';
import type { ConsoleSession } from '../web/session.ts';
import { patient } from './fhir.ts';
import { insOids } from './ins.ts';
import { InsiCallError, qualifyWithAppliCarteVitale, type RetrievalOutcome, retrieveIns } from './qualify.ts';
import {
  type Attribute,
  attributes,
  type Status,
  statuses,
  type ValidationMode,
  validationModes,
} from './rniv.ts';
import { TraitsError } from './traits.ts';
import {
  applyIdentityEvent,
  createUsager,
  getUsager,
  type IdentityActor,
  listUsagers,
  qualificationShares,
  type Usager,
  UsagerNotFoundError,
} from './usagers.ts';
import { markDistinct, mergeUsagers, reviewQueue, scanForDuplicates, VigilanceError } from './vigilance.ts';

const IdParams = Type.Object({ id: Type.String({ pattern: '^usg_[A-Za-z0-9_-]{8,20}$' }) });
const Csrf = { csrf: Type.String({ maxLength: 100 }) };
const modes = Object.keys(validationModes).filter((m) => m !== 'AV') as ValidationMode[];

/**
 * The agent behind a console session, as the audit trail records it: the idNat_PS the personal token names, else
 * the token itself (until Pro Santé Connect signs agents in).
 */
const actorOf = (session: ConsoleSession | undefined): IdentityActor => ({
  kind: 'professional',
  id: session?.idNat ?? `jeton:${session?.tokenId ?? 'inconnu'}`,
  means: 'jeton-confiance',
});

const html200 = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').send(body);

const refusedForm = (reply: FastifyReply) => html200(reply, expiredFormPage(), 403);

/** The console's pages about usagers and the FHIR Patient read, behind console sessions and API tokens. */
export async function identityRoutes(app: TypedApp, ctx: AppContext, guard: ConsoleGuard): Promise<void> {
  const canRead = guard.require('identity:read');
  const canWrite = guard.require('identity:write');
  const writes = (request: FastifyRequest) => !!request.consoleSession?.scopes.includes('identity:write');

  const showUsager = async (
    request: FastifyRequest,
    reply: FastifyReply,
    usager: Usager,
    extra: { retrieval?: RetrievalOutcome | null; message?: string | null } = {},
  ) => {
    const queue = await reviewQueue(ctx.database);
    return html200(
      reply,
      usagerPage({
        usager,
        csrf: request.consoleSession ? guard.csrf(request.consoleSession) : null,
        canWrite: writes(request),
        insiAvailable: ctx.insi !== null,
        retrieval: extra.retrieval ?? null,
        message: extra.message ?? null,
        duplicates: queue.filter((q) => q.a.id === usager.id || q.b.id === usager.id),
      }),
    );
  };

  const notFound = (reply: FastifyReply, id: string) =>
    html200(
      reply,
      layout({ title: 'Usager inconnu', body: html`<h1>Usager inconnu</h1><p>Aucun usager ${id}.</p>` }),
      404,
    );

  app.get(
    '/usagers',
    {
      preHandler: canRead,
      schema: {
        hide: true,
        querystring: Type.Object(
          {
            statut: Type.Optional(Type.Union([Type.Literal(''), ...statuses.map((s) => Type.Literal(s))])),
            finess: Type.Optional(Type.String({ pattern: '^(?:[0-9AB]{9})?$' })),
            nom: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const [usagers, shares, pending] = await Promise.all([
        listUsagers(ctx.database, {
          ...(q.statut ? { status: q.statut as Status } : {}),
          ...(q.finess ? { structureFiness: q.finess } : {}),
          ...(q.nom?.trim() ? { nom: q.nom.trim() } : {}),
        }),
        qualificationShares(ctx.database),
        reviewQueue(ctx.database),
      ]);
      return html200(
        reply,
        usagersPage({
          usagers,
          shares,
          filter: {
            ...(q.statut ? { statut: q.statut } : {}),
            ...(q.finess ? { finess: q.finess } : {}),
            ...(q.nom ? { nom: q.nom } : {}),
          },
          pending: pending.length,
          canWrite: writes(request),
        }),
      );
    },
  );

  app.get('/usagers/nouveau', { preHandler: canWrite, schema: { hide: true } }, async (request, reply) =>
    html200(
      reply,
      admissionPage({
        csrf: guard.csrf(request.consoleSession as ConsoleSession),
        values: {},
        errors: [],
      }),
    ),
  );

  app.post(
    '/usagers',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        body: Type.Object(
          {
            ...Csrf,
            nomNaissance: Type.String({ maxLength: 200 }),
            prenomsNaissance: Type.String({ maxLength: 200 }),
            sexe: Type.String({ maxLength: 2 }),
            dateNaissance: Type.String({ maxLength: 20 }),
            lieuNaissance: Type.String({ maxLength: 10 }),
            nomUtilise: Type.Optional(Type.String({ maxLength: 100 })),
            prenomUtilise: Type.Optional(Type.String({ maxLength: 100 })),
            telephone: Type.Optional(Type.String({ maxLength: 20, pattern: '^[0-9 +().-]*$' })),
            email: Type.Optional(Type.String({ maxLength: 200 })),
            piece: Type.Optional(Type.Union([Type.Literal(''), ...modes.map((m) => Type.Literal(m))])),
            finess: Type.Optional(Type.String({ pattern: '^(?:[0-9AB]{9})?$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request)) return refusedForm(reply);
      const b = request.body;
      const actor = actorOf(request.consoleSession);
      try {
        const usager = await createUsager(
          ctx.database,
          {
            traits: b,
            nomUtilise: b.nomUtilise ?? null,
            prenomUtilise: b.prenomUtilise ?? null,
            telephone: b.telephone ?? null,
            email: b.email ?? null,
            structureFiness: b.finess || null,
          },
          actor,
        );
        if (b.piece)
          await applyIdentityEvent(
            ctx.database,
            usager.id,
            {
              type: 'document-checked',
              mode: b.piece as ValidationMode,
              by: actor.id,
              at: new Date().toISOString(),
            },
            actor,
          );
        await scanForDuplicates(ctx.database, usager.id);
        return reply.redirect(`/usagers/${usager.id}`, 303);
      } catch (error) {
        if (!(error instanceof TraitsError)) throw error;
        const { csrf: _csrf, ...values } = b;
        return html200(
          reply,
          admissionPage({
            csrf: guard.csrf(request.consoleSession as ConsoleSession),
            values: values as Record<string, string>,
            errors: error.errors,
          }),
          422,
        );
      }
    },
  );

  app.get('/usagers/doublons', { preHandler: canRead, schema: { hide: true } }, async (request, reply) =>
    html200(
      reply,
      reviewPage({
        items: await reviewQueue(ctx.database),
        csrf: request.consoleSession ? guard.csrf(request.consoleSession) : null,
        canWrite: writes(request),
      }),
    ),
  );

  app.post(
    '/usagers/doublons/:review',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        params: Type.Object({ review: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          {
            ...Csrf,
            decision: Type.Union([
              Type.Literal('garder-a'),
              Type.Literal('garder-b'),
              Type.Literal('distinctes'),
            ]),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request)) return refusedForm(reply);
      const actor = actorOf(request.consoleSession);
      const item = (await reviewQueue(ctx.database)).find((r) => r.id === request.params.review);
      if (!item) return reply.redirect('/usagers/doublons', 303);
      try {
        if (request.body.decision === 'distinctes') await markDistinct(ctx.database, item.id, actor);
        else {
          const [keep, duplicate] =
            request.body.decision === 'garder-a' ? [item.a, item.b] : [item.b, item.a];
          await mergeUsagers(ctx.database, keep.id, duplicate.id, actor);
        }
      } catch (error) {
        if (!(error instanceof VigilanceError)) throw error;
        return html200(
          reply,
          layout({
            title: 'Fusion refusée',
            body: html`<h1>Fusion refusée</h1><p role="alert">${error.message}</p><p><a href="/usagers/doublons">Retour aux doublons</a></p>`,
          }),
          409,
        );
      }
      return reply.redirect('/usagers/doublons', 303);
    },
  );

  app.get(
    '/usagers/:id',
    { preHandler: canRead, schema: { hide: true, params: IdParams } },
    async (request, reply) => {
      try {
        return await showUsager(request, reply, await getUsager(ctx.database, request.params.id));
      } catch (error) {
        if (error instanceof UsagerNotFoundError) return notFound(reply, request.params.id);
        throw error;
      }
    },
  );

  app.post(
    '/usagers/:id/piece',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        params: IdParams,
        body: Type.Object(
          { ...Csrf, piece: Type.Union(modes.map((m) => Type.Literal(m))) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request)) return refusedForm(reply);
      const actor = actorOf(request.consoleSession);
      try {
        const r = await applyIdentityEvent(
          ctx.database,
          request.params.id,
          {
            type: 'document-checked',
            mode: request.body.piece as ValidationMode,
            by: actor.id,
            at: new Date().toISOString(),
          },
          actor,
        );
        return showUsager(request, reply, r.usager, { message: r.reason });
      } catch (error) {
        if (error instanceof UsagerNotFoundError) return notFound(reply, request.params.id);
        throw error;
      }
    },
  );

  app.post(
    '/usagers/:id/attributs',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        params: IdParams,
        body: Type.Object(
          {
            ...Csrf,
            attribut: Type.Union(Object.keys(attributes).map((a) => Type.Literal(a))),
            operation: Type.Union([Type.Literal('poser'), Type.Literal('lever')]),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request)) return refusedForm(reply);
      const attribute = request.body.attribut as Attribute;
      try {
        const r = await applyIdentityEvent(
          ctx.database,
          request.params.id,
          request.body.operation === 'poser'
            ? { type: 'attribute-set', attribute }
            : { type: 'attribute-cleared', attribute },
          actorOf(request.consoleSession),
        );
        return showUsager(request, reply, r.usager, { message: r.reason });
      } catch (error) {
        if (error instanceof UsagerNotFoundError) return notFound(reply, request.params.id);
        throw error;
      }
    },
  );

  app.post(
    '/usagers/:id/acv',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        params: IdParams,
        body: Type.Object(
          {
            ...Csrf,
            ins: Type.String({ maxLength: 30 }),
            type: Type.Union([Type.Literal('NIR'), Type.Literal('NIA')]),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request)) return refusedForm(reply);
      try {
        const r = await qualifyWithAppliCarteVitale(
          ctx.database,
          request.params.id,
          { value: request.body.ins, oid: insOids[request.body.type] },
          actorOf(request.consoleSession),
        );
        return showUsager(request, reply, r.usager, { message: r.reason });
      } catch (error) {
        if (error instanceof UsagerNotFoundError) return notFound(reply, request.params.id);
        throw error;
      }
    },
  );

  app.post(
    '/usagers/:id/insi',
    {
      preHandler: canWrite,
      schema: { hide: true, params: IdParams, body: Type.Object(Csrf, { additionalProperties: false }) },
    },
    async (request, reply) => {
      if (!guard.checkForm(request)) return refusedForm(reply);
      if (!ctx.insi)
        return showUsager(request, reply, await getUsager(ctx.database, request.params.id), {
          message: 'INSi n’est pas configuré.',
        });
      try {
        const retrieval = await retrieveIns(
          ctx.database,
          request.params.id,
          ctx.insi,
          actorOf(request.consoleSession),
        );
        return showUsager(
          request,
          reply,
          retrieval.usager.id ? await getUsager(ctx.database, request.params.id) : retrieval.usager,
          {
            retrieval,
          },
        );
      } catch (error) {
        if (error instanceof InsiCallError)
          return showUsager(request, reply, await getUsager(ctx.database, request.params.id), {
            message: `${error.message} Le statut de l’identité est inchangé.`,
          });
        if (error instanceof UsagerNotFoundError) return notFound(reply, request.params.id);
        throw error;
      }
    },
  );
}

/** `GET /fhir/Patient/:id`: an usager as FR Core Patient, for a bearer token with `identity:read`. */
export async function patientRoutes(app: TypedApp, ctx: AppContext): Promise<void> {
  app.get(
    '/Patient/:id',
    {
      preHandler: requireScope(ctx.database, 'identity:read'),
      schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }) }) },
    },
    async (request, reply) => {
      try {
        const usager = await getUsager(ctx.database, request.params.id);
        return reply
          .type('application/fhir+json; charset=utf-8')
          .send(JSON.stringify(patient(usager, ctx.config.baseUrl)));
      } catch (error) {
        if (error instanceof UsagerNotFoundError)
          throw new FhirError(404, 'not-found', `Patient/${request.params.id.slice(0, 64)} est inconnu.`);
        throw error;
      }
    },
  );
}
