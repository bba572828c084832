import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers, computed once. @fastify/helmet rebuilds Helmet's middleware on every request (parsing the CSP
 * directives each time), a large share of a small API request's cost; with static options the headers never
 * change, so they are worked out at start-up and copied onto each response.
 */
export function securityHeaders(options: HelmetOptions): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return [...headers];
}

/** Sets the headers on the raw response, where Helmet puts them, so that routes may still amend them. */
export const securityHeadersPlugin = fp<{ helmet: HelmetOptions }>(async (app: FastifyInstance, opts) => {
  const headers = securityHeaders(opts.helmet);
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
});
