import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/connect.ts';
import { HttpProblem } from '../http/problem.ts';
import { type ApiClient, type ApiScope, apiScopes, authenticateApiToken } from './api-token.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiClient?: ApiClient;
  }
}

/** preHandler for an /api/v1 route: a valid bearer token carrying `scope`, or 401/403 as problem+json. */
export function requireScope(database: Database, scope: ApiScope) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    const client = match?.[1] ? await authenticateApiToken(database, match[1]) : null;
    if (!client) {
      reply.header('www-authenticate', `Bearer realm="confiance", scope="${scope}"`);
      throw new HttpProblem(
        401,
        'Authentification requise',
        'Présentez un jeton d’API valide dans l’en-tête Authorization: Bearer (voir `confiance api-token create`).',
      );
    }
    if (!client.scopes.includes(scope))
      throw new HttpProblem(
        403,
        'Accès refusé',
        `Ce jeton n’a pas le droit « ${scope} » (${apiScopes[scope]}).`,
      );
    request.apiClient = client;
  };
}
