import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import type { AppContext } from './app-context.ts';
import { auditRoutes } from './audit/routes.ts';
import { pscLogoutDetour } from './auth/login/psc-logout.ts';
import { loginRoutes } from './auth/login/routes.ts';
import { clientsConsoleRoutes } from './auth/oidc/console.ts';
import { oidcPrefix, oidcRoutes } from './auth/oidc/routes.ts';
import { sessionLimits } from './auth/policy/rie.ts';
import { fhirRoutes } from './directory/fhir/routes.ts';
import { directoryRoutes } from './directory/routes.ts';
import { healthRoutes } from './http/health.ts';
import { metricsPlugin } from './http/metrics.ts';
import { HttpProblem, type Problem, titleFor, toProblem } from './http/problem.ts';
import { securityHeadersPlugin } from './http/security-headers.ts';
import type { TypedApp } from './http/typed.ts';
import { identityRoutes, patientRoutes } from './identity/routes.ts';
import { readinessRoutes } from './readiness/routes.ts';
import { consoleAuthRoutes } from './web/console-auth.ts';
import { errorPage, notFoundPage } from './web/pages/errors.ts';
import { webRoutes } from './web/routes.ts';

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
const machinePaths = /^\/(api|fhir|oidc|health|metrics|assets)(\/|$)/;

/** Console pages answer errors in HTML to browsers; everything else answers problem+json. */
function wantsHtml(request: FastifyRequest): boolean {
  return !machinePaths.test(request.url) && (request.headers.accept ?? '').includes('text/html');
}

/** Only the path is logged: query strings may carry names or identifiers of people. */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?…`;
}

export interface AppOptions {
  /** Where logs go; defaults to stdout. Tests pass a sink to inspect them. */
  logStream?: DestinationStream;
}

export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<TypedApp> {
  const { config } = ctx;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(options.logStream && { stream: options.logStream }),
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      serializers: {
        req: (req: { method: string; url: string; id: string; ip?: string }) => ({
          method: req.method,
          url: pathOf(req.url),
          remoteAddress: req.ip,
        }),
      },
    },
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    ajv: {
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  // During shutdown, answers to requests still in flight close their connection, so that keep-alive clients
  // do not hold the server open until the shutdown delay runs out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  await app.register(securityHeadersPlugin, {
    helmet: {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          upgradeInsecureRequests: null,
        },
      },
      strictTransportSecurity: config.baseUrl.startsWith('https:'),
    },
  });

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowSeconds * 1000,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'API Confiance',
        version: ctx.version,
        description:
          'API REST de Confiance : traçabilité aujourd’hui, puis annuaire, identités des usagers et prérequis ' +
          'au fil des modules. Authentification par jeton porteur (`confiance api-token create`).',
      },
      servers: [{ url: config.baseUrl }],
      components: {
        securitySchemes: {
          jeton: { type: 'http', scheme: 'bearer', description: 'Jeton d’API Confiance (cft_…)' },
        },
      },
    },
    transform: ({ schema, url }) => ({
      schema: { ...schema, hide: schema?.hide || !url.startsWith('/api/v1') },
      url,
    }),
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const problem = toProblem(error, request.id, pathOf(request.url));
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status: problem.status, code: error.code }, 'request refused');
    return send(reply, request, problem);
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (wantsHtml(request))
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(notFoundPage(pathOf(request.url)));
    const detail = `Aucune ressource ne répond à ${request.method} ${pathOf(request.url)}.`;
    return send(
      reply,
      request,
      toProblem(new HttpProblem(404, titleFor(404), detail), request.id, pathOf(request.url)),
    );
  });

  function send(reply: FastifyReply, request: FastifyRequest, problem: Problem) {
    reply.code(problem.status);
    if (wantsHtml(request))
      return reply
        .type('text/html; charset=utf-8')
        .send(errorPage(problem.status, problem.title, problem.detail, request.id));
    return reply.type('application/problem+json; charset=utf-8').send(JSON.stringify(problem));
  }

  await app.register(metricsPlugin);
  await app.register(async (scope) => healthRoutes(scope, ctx));
  await app.register(async (scope) => auditRoutes(scope, ctx));
  await app.register(async (scope) => webRoutes(scope, ctx));
  await app.register(async (scope) => directoryRoutes(scope, ctx));
  await app.register(
    async (scope) => {
      await scope.register(formbody);
      await patientRoutes(scope, ctx);
      await fhirRoutes(scope, ctx);
    },
    { prefix: '/fhir' },
  );
  // Console pages behind sessions: the session cookie, CSRF-checked forms and the pages share one scope.
  await app.register(async (scope) => {
    await scope.register(formbody);
    const guard = await consoleAuthRoutes(scope, ctx);
    await identityRoutes(scope, ctx, guard);
    await readinessRoutes(scope, ctx, guard);
    await clientsConsoleRoutes(scope, ctx, guard);
  });

  // Loaded with the server only: oidc-provider warns on Node 20 at import, which CLI commands need not print.
  const { createHub } = await import('./auth/oidc/provider.ts');
  const hub = await createHub({
    database: ctx.database,
    issuer: `${config.baseUrl}${oidcPrefix}`,
    cookieSecret: ctx.sessionSecret,
    trustProxy: config.trustProxy,
    session: sessionLimits[config.rie],
    mtls: config.mtls
      ? { caPem: readFileSync(config.mtls.caPath, 'utf8'), header: config.mtls.header }
      : null,
  });
  pscLogoutDetour(ctx, hub);
  await app.register(async (scope) => oidcRoutes(scope, hub));
  await app.register(async (scope) => loginRoutes(scope, ctx, hub));

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/api/v1', { schema: { hide: true } }, async () => ({
    name: 'Confiance',
    version: ctx.version,
    openapi: `${config.baseUrl}/api/v1/openapi.json`,
    reference: `${config.baseUrl}/api/v1/reference`,
  }));

  return app;
}
