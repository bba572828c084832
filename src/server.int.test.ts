import { sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { adminUrl, createTestDatabase, describeEachDriver } from '../test/databases.ts';
import { createApiToken } from './auth/api-token.ts';
import { loadConfig } from './config.ts';
import { lockKey } from './db/connect.ts';
import { startServer } from './server.ts';

describeEachDriver('server lifecycle', (driver) => {
  it('migrates at start, records the start, lets in-flight requests finish and closes the database on shutdown', async () => {
    const t = await createTestDatabase(driver, { migrate: false });
    const server = await startServer(loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }), t.database);
    try {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      const start = await t.database.db.selectFrom('audit_event').select('action').executeTakeFirst();
      expect(start?.action).toBe('system.start');

      // Hold the audit chain's lock so that a request is provably in flight when shutdown starts.
      const { token } = await createApiToken(t.database, { name: 'test', scopes: ['audit:write'] });
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let onLocked = () => {};
      const locked = new Promise<void>((resolve) => {
        onLocked = resolve;
      });
      const holder = t.database.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${lockKey('audit-chain')}::bigint)`.execute(trx);
        onLocked();
        await gate;
      });
      await locked;
      const inFlight = fetch(`${server.url}/api/v1/audit/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          action: 'dui.test',
          outcome: 'success',
          actor: { kind: 'professional', id: '810000000000' },
        }),
      });
      await new Promise((r) => setTimeout(r, 300));
      const closing = server.close();
      await new Promise((r) => setTimeout(r, 100));
      release();
      await holder;
      expect((await inFlight).status).toBe(201);
      await closing;
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
      await expect(sql`select 1`.execute(t.database.db)).rejects.toThrow();

      if (driver === 'postgres') {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        const name = new URL(t.url ?? '').pathname.slice(1);
        const { rows } = await admin.query(
          'select count(*)::int as n from pg_stat_activity where datname = $1',
          [name],
        );
        await admin.end();
        expect(rows[0].n).toBe(0);
      }
    } finally {
      await server.close();
      await t.drop().catch(() => {});
    }
  });
});
