import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.ts';
import {
  type ContentEncoding,
  compress,
  minCompressedBytes,
  preferredEncoding,
} from '../../http/encoding.ts';
import { HttpProblem } from '../../http/problem.ts';
import type { TypedApp } from '../../http/typed.ts';
import { currentSnapshot } from '../snapshot.ts';
import { BodyStore } from './bodies.ts';
import { queryString, searchBundle, toJsonText } from './bundle.ts';
import { capabilityStatement } from './capability.ts';
import { FhirError, operationOutcome } from './errors.ts';
import { GenerationCache } from './generation-cache.ts';
import { parseSearch, type Query, type ResourceType, resourceTypes } from './params.ts';
import { readResource, search } from './search.ts';

const fhirJson = 'application/fhir+json; charset=utf-8';

const QueryValues = Type.Record(
  Type.String({ maxLength: 100 }),
  Type.Union([Type.String(), Type.Array(Type.String())]),
);

function resourceTypeOf(name: string): ResourceType {
  if ((resourceTypes as readonly string[]).includes(name)) return name as ResourceType;
  throw new FhirError(
    404,
    'not-supported',
    `Type de ressource inconnu « ${name} » : ce serveur connaît ${resourceTypes.join(', ')}.`,
  );
}

/**
 * `/fhir`: the directory mirror as FHIR R4, read and search, shaped like the national Annuaire Santé API so that
 * a DUI switches by changing its base URL. Every error is an OperationOutcome naming the parameter at fault.
 */
export async function fhirRoutes(app: TypedApp, ctx: AppContext): Promise<void> {
  const base = `${ctx.config.baseUrl}/fhir`;
  /** The coding a body of `length` bytes goes out in: one the client accepts, if large enough to gain from it. */
  const codingFor = (request: FastifyRequest, length: number) =>
    length >= minCompressedBytes ? preferredEncoding(request.headers['accept-encoding']) : null;
  /** Sends a body already in `coding` (none: as it is). */
  const sendAs = (reply: FastifyReply, status: number, body: Buffer, coding: ContentEncoding | null) => {
    reply.code(status).type(fhirJson).header('vary', 'accept-encoding');
    return coding ? reply.header('content-encoding', coding).send(body) : reply.send(body);
  };
  /** Sends a body, compressed when the client accepts it and it is large enough to gain from it. */
  const sendBuffer = async (request: FastifyRequest, reply: FastifyReply, status: number, body: Buffer) => {
    const coding = codingFor(request, body.length);
    return sendAs(reply, status, coding ? await compress(body, coding) : body, coding);
  };
  const send = (request: FastifyRequest, reply: FastifyReply, status: number, body: unknown) =>
    sendBuffer(request, reply, status, Buffer.from(toJsonText(body)));

  app.setErrorHandler(async (error: FastifyError | FhirError | HttpProblem, request, reply) => {
    if (error instanceof FhirError) return send(request, reply, error.status, operationOutcome(error));
    if (error instanceof HttpProblem)
      return send(
        request,
        reply,
        error.status,
        operationOutcome(
          new FhirError(
            error.status,
            error.status === 401 || error.status === 403 ? 'security' : 'invalid',
            error.detail,
          ),
        ),
      );
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'FHIR request failed');
    const fhirError =
      status === 429
        ? new FhirError(429, 'throttled', 'Trop de requêtes : ralentissez et réessayez dans un instant.')
        : status >= 500
          ? new FhirError(500, 'exception', `Erreur interne (requête ${request.id}).`)
          : new FhirError(status, 'invalid', 'Requête invalide : vérifiez les paramètres de recherche.');
    return send(request, reply, fhirError.status, operationOutcome(fhirError));
  });
  app.setNotFoundHandler(async (request, reply) =>
    send(
      request,
      reply,
      404,
      operationOutcome(
        new FhirError(
          404,
          'not-found',
          `Aucune opération FHIR ne répond à ${request.method} ${request.url.split('?')[0]}.`,
        ),
      ),
    ),
  );

  const capability = Buffer.from(JSON.stringify(capabilityStatement(base, ctx.version)));
  app.get('/metadata', async (request, reply) => sendBuffer(request, reply, 200, capability));

  // First pages of searches and reads by id kept per generation, within CONFIANCE_FHIR_CACHE_MB (by default 32 MB:
  // some 10 000 lookups of 3 kB, or 700 pages of fifty practitioners; a query's length counts, so that long ones
  // cannot fill memory). A DUI asks the same professionals over and over (its own staff, at each login or
  // document), follows the same references, and its users search the same names and places; these answers only
  // change with the next generation of the mirror: like HAPI FHIR's reuse of cached search results, without its
  // staleness. Later pages are read once each, by their cursor.
  const answers = new GenerationCache<Buffer>(
    ctx.config.directory.fhirCacheMegabytes * 1024 * 1024,
    (key, body) => key.length + body.length,
  );
  // Practitioners' bodies stored after each new generation, in the background (bodies.ts); until then, and for
  // those a later merge changed, reads work them out.
  const bodies = new BodyStore(ctx.database, (error) =>
    app.log.error({ err: error }, 'storing Practitioner bodies failed'),
  );
  app.addHook('onClose', () => bodies.stop());
  /**
   * Sends the answer kept for `key` in the current generation, or works it out for that generation and keeps it;
   * compressed, it is kept as well, beside the plain one, so that it is compressed once per generation.
   */
  const sendKept = async (
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    answer: (snapshot: number) => Promise<unknown>,
  ) => {
    const snapshot = await currentSnapshot(ctx.database);
    bodies.notice(snapshot);
    const accepted = preferredEncoding(request.headers['accept-encoding']);
    const keptEncoded = accepted ? answers.get(snapshot, `${accepted} ${key}`) : undefined;
    if (keptEncoded) return sendAs(reply, 200, keptEncoded, accepted);
    let text = answers.get(snapshot, key);
    if (!text) {
      text = Buffer.from(toJsonText(await answer(snapshot)));
      answers.set(snapshot, key, text);
    }
    const coding = codingFor(request, text.length);
    if (!coding) return sendAs(reply, 200, text, null);
    const encoded = await compress(text, coding);
    answers.set(snapshot, `${coding} ${key}`, encoded);
    return sendAs(reply, 200, encoded, coding);
  };

  const runSearch = async (httpRequest: FastifyRequest, type: string, query: Query, reply: FastifyReply) => {
    const resourceType = resourceTypeOf(type);
    const request = parseSearch(resourceType, query);
    const bundle = async (snapshot?: number) =>
      searchBundle({
        base,
        resourceType,
        query,
        result: await search(ctx.database, request, { snapshot }),
        elements: request.elements,
      });
    if (request.page) return send(httpRequest, reply, 200, await bundle());
    return sendKept(httpRequest, reply, `${resourceType}${queryString(query)}`, bundle);
  };

  app.get(
    '/:type',
    { schema: { params: Type.Object({ type: Type.String({ maxLength: 64 }) }), querystring: QueryValues } },
    async (request, reply) => runSearch(request, request.params.type, request.query, reply),
  );

  // POST [type]/_search, for queries too long for a URL; parameters in a form body (and the URL).
  app.post(
    '/:type/_search',
    {
      schema: {
        params: Type.Object({ type: Type.String({ maxLength: 64 }) }),
        querystring: QueryValues,
        body: Type.Optional(QueryValues),
      },
    },
    async (request, reply) =>
      runSearch(request, request.params.type, { ...request.query, ...(request.body ?? {}) }, reply),
  );

  app.get(
    '/:type/:id',
    {
      schema: {
        params: Type.Object({ type: Type.String({ maxLength: 64 }), id: Type.String({ maxLength: 200 }) }),
      },
    },
    async (request, reply) => {
      const resourceType = resourceTypeOf(request.params.type);
      const { id } = request.params;
      if (!/^[A-Za-z0-9.-]{1,64}$/.test(id))
        throw new FhirError(400, 'invalid', `Identifiant de ressource invalide « ${id.slice(0, 64)} ».`);
      return sendKept(request, reply, `${resourceType}/${id}`, async () => {
        const resource = await readResource(ctx.database, resourceType, id);
        if (!resource)
          throw new FhirError(404, 'not-found', `${resourceType}/${id} est inconnu de l’annuaire.`);
        return resource;
      });
    },
  );
}
