import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp } from '../src/app.ts';
import type { AppContext } from '../src/app-context.ts';
import { ChainMonitor } from '../src/audit/verify.ts';
import { createApiToken } from '../src/auth/api-token.ts';
import { loadConfig } from '../src/config.ts';
import type { DriverName } from '../src/db/connect.ts';
import type { TypedApp } from '../src/http/typed.ts';
import type { InsiClient } from '../src/identity/insi/client.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

export interface TestApp {
  app: TypedApp;
  t: TestDatabase;
  ctx: AppContext;
  /** Bearer header of a token holding every scope. */
  auth: { authorization: string };
  /** Log lines written by the app, as text. */
  logs: string[];
  close(): Promise<void>;
}

export async function createTestApp(
  driver: DriverName,
  env: Record<string, string> = {},
  options: { insi?: InsiClient; now?: () => Date } = {},
): Promise<TestApp> {
  const t = await createTestDatabase(driver);
  const config = loadConfig({
    LOG_LEVEL: 'info',
    CONFIANCE_DATA_DIR: join(tmpdir(), 'confiance-test'),
    ...env,
  });
  const ctx: AppContext = {
    config,
    database: t.database,
    chain: new ChainMonitor(t.database),
    version: 'test',
    startedAt: new Date(),
    sessionSecret: 'test-session-secret-of-at-least-32-characters',
    insi: options.insi ?? null,
    ...(options.now ? { now: options.now } : {}),
  };
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = await buildApp(ctx, { logStream });
  const { token } = await createApiToken(t.database, {
    name: 'tests',
    scopes: ['audit:read', 'audit:write', 'directory:read', 'identity:read', 'identity:write'],
  });
  return {
    app,
    t,
    ctx,
    auth: { authorization: `Bearer ${token}` },
    logs,
    async close() {
      await app.close();
      await t.drop();
    },
  };
}
