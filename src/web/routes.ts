import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { AppContext } from '../app-context.ts';
import { migrationStatus } from '../db/migrate.ts';
import type { TypedApp } from '../http/typed.ts';
import { apiReferencePage, type OpenApiDocument } from './pages/api-reference.ts';
import { homePage } from './pages/home.ts';

/** The console: server-rendered pages and their local assets. */
export async function webRoutes(app: TypedApp, ctx: AppContext): Promise<void> {
  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('./assets/', import.meta.url)),
    prefix: '/assets/',
    maxAge: '1h',
  });

  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const [migrations, chain] = await Promise.all([migrationStatus(ctx.database), ctx.chain.refresh()]);
    reply.type('text/html; charset=utf-8');
    return homePage({
      version: ctx.version,
      startedAt: ctx.startedAt,
      database: { driver: ctx.database.driver, location: ctx.database.location },
      migrations,
      chain,
    });
  });

  app.get('/api/v1/reference', { schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/html; charset=utf-8');
    return apiReferencePage(app.swagger() as unknown as OpenApiDocument);
  });
}
