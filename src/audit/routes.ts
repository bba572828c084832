import { type Static, Type } from 'typebox';
import type { AppContext } from '../app-context.ts';
import { requireScope } from '../auth/api-auth.ts';
import { HttpProblem, problemResponses } from '../http/problem.ts';
import type { TypedApp } from '../http/typed.ts';
import { appendEvent } from './append.ts';
import {
  type ActorKind,
  type AuditEvent,
  AuditInputError,
  actorKinds,
  finessPattern,
  type Outcome,
  outcomes,
} from './event.ts';
import { CursorError, listEvents } from './query.ts';

const enumOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description });

const EventsQuery = Type.Object(
  {
    actorKind: Type.Optional(enumOf<ActorKind>(actorKinds, 'Type d’acteur')),
    actor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'Identifiant national de l’acteur (idNat_PS, id de client…)',
      }),
    ),
    structure: Type.Optional(
      Type.String({
        pattern: finessPattern.source,
        description: 'FINESS de la structure pour laquelle l’action a été faite',
      }),
    ),
    subjectType: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Type du sujet (usager, client…)' }),
    ),
    subjectId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'Identifiant du sujet' }),
    ),
    action: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_.-]*(\\.\\*)?$',
        maxLength: 100,
        description: 'Action exacte, ou préfixe suivi de `.*` (par exemple `directory.*`)',
      }),
    ),
    outcome: Type.Optional(enumOf<Outcome>(outcomes, 'Résultat')),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'Début de période (inclus), ISO 8601' }),
    ),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'Fin de période (exclue), ISO 8601' }),
    ),
    limit: Type.Integer({
      minimum: 1,
      maximum: 500,
      default: 50,
      description: 'Nombre d’événements par page',
    }),
    cursor: Type.Optional(
      Type.String({ maxLength: 64, description: 'Curseur `next` de la page précédente' }),
    ),
  },
  { additionalProperties: false },
);

const EventSchema = Type.Object({
  seq: Type.Integer({ description: 'Numéro d’ordre dans la chaîne' }),
  occurredAt: Type.String({ format: 'date-time' }),
  action: Type.String(),
  outcome: enumOf<Outcome>(outcomes, 'Résultat'),
  actor: Type.Object({
    kind: enumOf<ActorKind>(actorKinds, 'Type d’acteur'),
    id: Type.Union([Type.String(), Type.Null()]),
  }),
  structureFiness: Type.Union([Type.String(), Type.Null()]),
  mie: Type.Union(
    [Type.Object({ means: Type.String(), level: Type.Union([Type.String(), Type.Null()]) }), Type.Null()],
    {
      description: 'Moyen d’identification électronique utilisé et son niveau',
    },
  ),
  subject: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String({ description: 'Empreinte SHA-256 de l’événement précédent' }),
  hash: Type.String({ description: 'Empreinte SHA-256 de cet événement' }),
});

const EventsPage = Type.Object(
  {
    events: Type.Array(EventSchema),
    next: Type.Union([Type.String(), Type.Null()], { description: 'URL de la page suivante, ou null' }),
  },
  { description: 'Une page d’événements' },
);

const ChainStateSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('unchecked'), Type.Literal('intact'), Type.Literal('broken')]),
    verifiedUpTo: Type.Integer({ description: 'Dernier événement vérifié' }),
    firstBreak: Type.Union([
      Type.Object({ seq: Type.Integer(), kind: Type.String(), detail: Type.String() }),
      Type.Null(),
    ]),
    checkedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { description: 'État de la chaîne' },
);

function toJson(e: AuditEvent): Static<typeof EventSchema> {
  return {
    seq: e.seq,
    occurredAt: e.occurredAt.toISOString(),
    action: e.action,
    outcome: e.outcome,
    actor: { kind: e.actorKind, id: e.actorId },
    structureFiness: e.structureFiness,
    mie: e.mie ? { means: e.mie, level: e.mieLevel } : null,
    subject: e.subjectType && e.subjectId ? { type: e.subjectType, id: e.subjectId } : null,
    requestId: e.requestId,
    details: e.details,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

const NewEvent = Type.Object(
  {
    action: Type.String({
      pattern: '^[a-z][a-z0-9_.-]*$',
      maxLength: 100,
      description: 'Action, par exemple `dui.dossier.consultation`',
    }),
    outcome: enumOf<Outcome>(outcomes, 'Résultat'),
    actor: Type.Object(
      {
        kind: enumOf<ActorKind>(['professional', 'usager', 'aidant'], 'Type d’acteur'),
        id: Type.String({
          minLength: 1,
          maxLength: 128,
          description: 'idNat_PS d’un professionnel, identifiant interne d’un usager',
        }),
      },
      { additionalProperties: false },
    ),
    structureFiness: Type.Optional(
      Type.String({ pattern: finessPattern.source, description: 'FINESS de la structure' }),
    ),
    mie: Type.Optional(
      Type.Object(
        {
          means: Type.String({ minLength: 1, maxLength: 64 }),
          level: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
        },
        {
          additionalProperties: false,
          description: 'Moyen d’identification électronique utilisé et son niveau',
        },
      ),
    ),
    subject: Type.Optional(
      Type.Object(
        {
          type: Type.String({ minLength: 1, maxLength: 64 }),
          id: Type.String({ minLength: 1, maxLength: 128 }),
        },
        { additionalProperties: false },
      ),
    ),
    details: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'Contexte, sans donnée de santé ni trait d’identité',
      }),
    ),
  },
  { additionalProperties: false },
);

export async function auditRoutes(app: TypedApp, ctx: AppContext): Promise<void> {
  const canRead = requireScope(ctx.database, 'audit:read');
  const canWrite = requireScope(ctx.database, 'audit:write');

  app.post(
    '/api/v1/audit/events',
    {
      preHandler: canWrite,
      schema: {
        tags: ['Traçabilité'],
        summary: 'Inscrire un événement d’audit',
        description:
          'Permet au DUI de tracer dans la même chaîne les actions faites chez lui (consultation d’un dossier…), ' +
          'avec l’idNat_PS de l’acteur et le FINESS de la structure. Le client qui déclare est enregistré avec l’événement.',
        security: [{ jeton: ['audit:write'] }],
        body: NewEvent,
        response: {
          201: Type.Object(EventSchema.properties, { description: 'Événement inscrit' }),
          ...problemResponses(400, 401, 403, 413, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      let event: AuditEvent;
      try {
        event = await appendEvent(ctx.database, {
          action: body.action,
          outcome: body.outcome,
          actor: body.actor,
          structureFiness: body.structureFiness ?? null,
          mie: body.mie ? { means: body.mie.means, level: body.mie.level ?? null } : null,
          subject: body.subject ?? null,
          requestId: request.id,
          details: { ...body.details, reportedBy: request.apiClient?.id },
        });
      } catch (error) {
        if (error instanceof AuditInputError) throw new HttpProblem(422, 'Contenu invalide', error.message);
        throw error;
      }
      reply.code(201);
      return toJson(event);
    },
  );

  app.get(
    '/api/v1/audit/events',
    {
      preHandler: canRead,
      schema: {
        tags: ['Traçabilité'],
        summary: 'Lister les événements d’audit',
        description:
          'Du plus récent au plus ancien, filtrés par acteur, structure, sujet, action et période. ' +
          'La pagination par curseur reste stable pendant que de nouveaux événements sont ajoutés. ' +
          'Chaque consultation est elle-même tracée.',
        security: [{ jeton: ['audit:read'] }],
        querystring: EventsQuery,
        response: { 200: EventsPage, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const q = request.query;
      if (q.since && q.until && q.since >= q.until)
        throw new HttpProblem(400, 'Requête invalide', '« since » doit précéder « until ».');
      let page: Awaited<ReturnType<typeof listEvents>>;
      try {
        page = await listEvents(
          ctx.database,
          {
            actorKind: q.actorKind,
            actorId: q.actor,
            structureFiness: q.structure,
            subjectType: q.subjectType,
            subjectId: q.subjectId,
            action: q.action,
            outcome: q.outcome,
            since: q.since ? new Date(q.since) : undefined,
            until: q.until ? new Date(q.until) : undefined,
          },
          { limit: q.limit ?? 50, cursor: q.cursor },
        );
      } catch (error) {
        if (error instanceof CursorError)
          throw new HttpProblem(
            400,
            'Requête invalide',
            '« cursor » n’est pas un curseur émis par cette API.',
          );
        throw error;
      }
      await appendEvent(ctx.database, {
        action: 'audit.events.read',
        outcome: 'success',
        actor: { kind: 'software', id: request.apiClient?.id ?? null },
        requestId: request.id,
        details: {
          returned: page.events.length,
          filters: Object.keys(q).filter((k) => k !== 'limit' && k !== 'cursor'),
        },
      });
      let next: string | null = null;
      if (page.next) {
        const url = new URL(request.url, ctx.config.baseUrl);
        url.searchParams.set('cursor', page.next);
        next = `${ctx.config.baseUrl}${url.pathname}${url.search}`;
      }
      return { events: page.events.map(toJson), next };
    },
  );

  app.get(
    '/api/v1/audit/chain',
    {
      preHandler: canRead,
      schema: {
        tags: ['Traçabilité'],
        summary: 'État de la chaîne d’audit',
        description:
          'Vérifie les événements ajoutés depuis le dernier contrôle et renvoie l’état de la chaîne. ' +
          'La vérification complète se fait avec `confiance audit verify`.',
        security: [{ jeton: ['audit:read'] }],
        response: { 200: ChainStateSchema, ...problemResponses(401, 403, 429) },
      },
    },
    async () => {
      const state = await ctx.chain.refresh();
      return {
        status: state.status,
        verifiedUpTo: state.verifiedUpTo.seq,
        firstBreak: state.firstBreak,
        checkedAt: state.checkedAt?.toISOString() ?? null,
      };
    },
  );
}
