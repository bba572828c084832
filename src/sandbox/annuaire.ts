import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Database } from '../db/connect.ts';
import { queryString, toJsonText } from '../directory/fhir/bundle.ts';
import { capabilityStatement } from '../directory/fhir/capability.ts';
import { encodeCursor } from '../directory/fhir/cursor.ts';
import { FhirError } from '../directory/fhir/errors.ts';
import { parseSearch, type Query, type ResourceType, resourceTypes } from '../directory/fhir/params.ts';
import type { Resource } from '../directory/fhir/rows.ts';
import { readResource, search } from '../directory/fhir/search.ts';

export interface AnnuaireEmulatorOptions {
  /** A database holding a directory mirror: the emulator serves it as the national API would. */
  database: Database;
  apiKeys: readonly string[];
  /** Requests a second per API key (17 nationally); `null` lifts the limit (benchmarks of our own cost). */
  requestsPerSecond: number | null;
  /** Largest page; bigger `_count` values are cut down silently, as HAPI's paging provider does. */
  maxCount?: number;
  /** Days the server keeps deactivated resources (30 nationally): older deletions are no longer served. */
  retentionDays?: number;
  now?: () => Date;
}

const fhirJson = 'application/fhir+json;charset=UTF-8';
const basePath = '/fhir/v2';

/** HAPI's OperationOutcome shape, with its message codes where the national server has one. */
function outcome(status: number, diagnostics: string) {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: status === 429 ? 'throttled' : status === 404 ? 'not-found' : 'processing',
        diagnostics,
      },
    ],
  };
}

function hapiMessage(error: FhirError, resourceType: string): string {
  if (error.code === 'not-supported' && error.parameter)
    return `HAPI-0524: Unknown search parameter "${error.parameter}" for resource type "${resourceType}".`;
  if (error.parameter) return `HAPI-1882: Invalid parameter "${error.parameter}": ${error.message}`;
  return `HAPI-0389: ${error.message}`;
}

/** A token bucket per API key, refilled continuously. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly perSecond: number) {}
  take(key: string, now: number): boolean {
    const b = this.buckets.get(key) ?? { tokens: this.perSecond, at: now };
    b.tokens = Math.min(this.perSecond, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** The `_page?id=` of the national API: the search context, encrypted, so clients cannot read or forge it. */
class PageIds {
  private readonly key = randomBytes(32);
  seal(context: { type: ResourceType; query: Query; cursor: string }): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(context)), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }
  open(id: string): { type: ResourceType; query: Query; cursor: string } | null {
    try {
      const raw = Buffer.from(id, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
}

/**
 * Emulator of the national Annuaire Santé FHIR API v2 (`gateway.api.esante.gouv.fr/fhir/v2`), for the sandbox and
 * the sync's tests: `ESANTE-API-KEY` required, 429 beyond the rate limit, `_count` capped, opaque `_page?id=`
 * links, deactivated resources reduced to identifiers and purged after the retention window, HAPI-style errors.
 * It answers from a real directory database through the same search engine as `/fhir`.
 */
export async function buildAnnuaireEmulator(options: AnnuaireEmulatorOptions): Promise<FastifyInstance> {
  const maxCount = options.maxCount ?? 1000;
  const retentionMs = (options.retentionDays ?? 30) * 86_400_000;
  const now = options.now ?? (() => new Date());
  const limiter = options.requestsPerSecond ? new RateLimiter(options.requestsPerSecond) : null;
  const pages = new PageIds();
  const app = Fastify({ logger: false });
  await app.register(formbody);
  let base = '';
  const send = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).type(fhirJson).send(toJsonText(body));

  app.addHook('onRequest', async (request, reply) => {
    base ||= `http://${request.headers.host}${basePath}`;
    const key = request.headers['esante-api-key'];
    if (typeof key !== 'string' || !options.apiKeys.includes(key))
      return send(reply, 401, outcome(401, 'Unauthorized: missing or invalid ESANTE-API-KEY header'));
    if (limiter && !limiter.take(key, Date.now())) {
      reply.header('retry-after', '1');
      return send(reply, 429, outcome(429, 'Too Many Requests: rate limit exceeded'));
    }
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return send(
      reply,
      status,
      outcome(status, `HAPI-0389: ${status === 500 ? 'Internal error' : error.message}`),
    );
  });
  app.setNotFoundHandler(async (request, reply) =>
    send(reply, 404, outcome(404, `No context-path matches ${request.url.split('?')[0]}`)),
  );

  const run = async (type: string, query: Query, reply: FastifyReply, cursor: string | null) => {
    if (!(resourceTypes as readonly string[]).includes(type))
      return send(
        reply,
        404,
        outcome(
          404,
          `HAPI-0302: Unknown resource type '${type}' - Server knows how to handle: [${resourceTypes.join(', ')}]`,
        ),
      );
    const resourceType = type as ResourceType;
    const asked =
      typeof query._count === 'string' && /^\d+$/.test(query._count) ? Number(query._count) : null;
    const effective = asked !== null && asked > maxCount ? { ...query, _count: String(maxCount) } : query;
    try {
      const request = parseSearch(resourceType, { ...effective, ...(cursor && { _page: cursor }) });
      const result = await search(options.database, request, {
        purgedBefore: new Date(now().getTime() - retentionMs),
      });
      const link = [{ relation: 'self', url: `${base}/${resourceType}${queryString(effective)}` }];
      if (result.next)
        link.push({
          relation: 'next',
          url: `${base}/_page?id=${pages.seal({ type: resourceType, query: effective, cursor: encodeCursor(result.next) })}`,
        });
      const entry = (resource: Resource, mode: string) => ({
        fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
        resource,
        search: { mode },
      });
      return send(reply, 200, {
        resourceType: 'Bundle',
        id: randomBytes(16).toString('hex'),
        meta: { lastUpdated: now().toISOString() },
        type: 'searchset',
        ...(result.total !== null && { total: result.total }),
        link,
        entry: [
          ...result.matches.map((r) => entry(r, 'match')),
          ...result.included.map((r) => entry(r, 'include')),
        ],
      });
    } catch (error) {
      if (error instanceof FhirError) return send(reply, 400, outcome(400, hapiMessage(error, resourceType)));
      throw error;
    }
  };

  app.get(`${basePath}/metadata`, async (_request, reply) =>
    send(reply, 200, capabilityStatement(base, 'emulateur')),
  );
  app.get<{ Querystring: { id?: string } }>(`${basePath}/_page`, async (request, reply) => {
    const context = typeof request.query.id === 'string' ? pages.open(request.query.id) : null;
    if (!context) return send(reply, 410, outcome(410, 'HAPI-0417: Search id is invalid or has expired'));
    return run(context.type, context.query, reply, context.cursor);
  });
  app.get<{ Params: { type: string }; Querystring: Query }>(`${basePath}/:type`, async (request, reply) =>
    run(request.params.type, request.query, reply, null),
  );
  app.post<{ Params: { type: string }; Querystring: Query; Body: Query }>(
    `${basePath}/:type/_search`,
    async (request, reply) =>
      run(request.params.type, { ...request.query, ...(request.body ?? {}) }, reply, null),
  );
  app.get<{ Params: { type: string; id: string } }>(`${basePath}/:type/:id`, async (request, reply) => {
    const { type, id } = request.params;
    if (!(resourceTypes as readonly string[]).includes(type) || !/^[A-Za-z0-9.-]{1,64}$/.test(id))
      return send(reply, 404, outcome(404, `HAPI-0971: Resource ${type}/${id} is not known`));
    const resource = await readResource(options.database, type as ResourceType, id);
    if (!resource) return send(reply, 404, outcome(404, `HAPI-0971: Resource ${type}/${id} is not known`));
    return send(reply, 200, resource);
  });
  return app;
}
