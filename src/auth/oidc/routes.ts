import type { IncomingMessage } from 'node:http';
import type Provider from 'oidc-provider';
import type { TypedApp } from '../../http/typed.ts';

export const oidcPrefix = '/oidc';

/**
 * Mounts oidc-provider under `/oidc`: the request is handed over untouched (body unread, so that the provider
 * parses it itself) with the prefix removed and `originalUrl` kept, from which it derives its own URLs.
 */
export async function oidcRoutes(app: TypedApp, provider: Provider): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const callback = provider.callback();
  const handler = async (
    request: { raw: IncomingMessage },
    reply: { hijack(): void; raw: import('node:http').ServerResponse },
  ) => {
    reply.hijack();
    // The provider's own pages (logout confirmation) end in redirects to the DUI: drop `form-action 'self'`.
    const csp = reply.raw.getHeader('content-security-policy');
    if (typeof csp === 'string')
      reply.raw.setHeader('content-security-policy', csp.replace(/form-action[^;]*;?/, ''));
    const raw = request.raw as IncomingMessage & { originalUrl?: string };
    const url = raw.url ?? '/';
    raw.originalUrl = url;
    raw.url = url.slice(oidcPrefix.length) || '/';
    await callback(raw, reply.raw);
  };
  app.all(oidcPrefix, { schema: { hide: true } }, handler);
  app.all(`${oidcPrefix}/*`, { schema: { hide: true } }, handler);
}
