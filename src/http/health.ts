import { sql } from 'kysely';
import { Type } from 'typebox';
import type { AppContext } from '../app-context.ts';
import { migrationStatus } from '../db/migrate.ts';
import type { TypedApp } from './typed.ts';

const Check = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  detail: Type.String(),
});

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  checks: Type.Object({ process: Check, database: Check, migrations: Check }),
});

/** `/health/live`: the process answers. `/health`: it can serve, database and schema included (readiness). */
export async function healthRoutes(app: TypedApp, ctx: AppContext): Promise<void> {
  app.get('/health/live', { schema: { hide: true }, config: { rateLimit: false } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/health',
    { schema: { hide: true, response: { 200: Health, 503: Health } }, config: { rateLimit: false } },
    async (_request, reply) => {
      const database = await (async () => {
        const started = performance.now();
        try {
          await sql`select 1`.execute(ctx.database.db);
          const ms = (performance.now() - started).toFixed(1);
          return { status: 'ok' as const, detail: `${ctx.database.driver} joignable en ${ms} ms` };
        } catch {
          return { status: 'error' as const, detail: `${ctx.database.driver} injoignable` };
        }
      })();
      const migrations = await migrationStatus(ctx.database).then(
        (s) =>
          s.pending.length === 0
            ? { status: 'ok' as const, detail: `${s.applied.length} migrations appliquées` }
            : { status: 'error' as const, detail: `${s.pending.length} migration(s) en attente` },
        () => ({ status: 'error' as const, detail: 'état des migrations illisible' }),
      );
      const ok = database.status === 'ok' && migrations.status === 'ok';
      reply.code(ok ? 200 : 503);
      return {
        status: ok ? ('ok' as const) : ('error' as const),
        version: ctx.version,
        uptimeSeconds: Math.round(process.uptime()),
        checks: { process: { status: 'ok' as const, detail: `pid ${process.pid}` }, database, migrations },
      };
    },
  );
}
