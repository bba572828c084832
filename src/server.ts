import { readFileSync } from 'node:fs';
import { buildApp } from './app.ts';
import type { AppContext } from './app-context.ts';
import { appendEvent } from './audit/append.ts';
import { ChainMonitor } from './audit/verify.ts';
import { FranceConnectBroker, type FranceConnectSettings } from './auth/broker/franceconnect.ts';
import { PscBroker, type PscSettings } from './auth/broker/psc.ts';
import { encryptionKey } from './auth/oidc/keys.ts';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { scheduleDirectoryRefresh } from './directory/schedule.ts';
import type { TypedApp } from './http/typed.ts';
import type { InsiClient } from './identity/insi/client.ts';
import { insiClientFromConfig } from './identity/insi/configured.ts';
import { scheduleCertificateAlerts } from './readiness/alerts.ts';
import { version } from './version.ts';
import { resolveSessionSecret } from './web/session.ts';

export interface RunningServer {
  app: TypedApp;
  database: Database;
  url: string;
  close(): Promise<void>;
}

export function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: `${config.dataDir}/pglite`,
    poolMax: config.dbPoolMax,
  });
}

/**
 * Opens the database, applies migrations, starts listening. `close` stops accepting requests, lets those in
 * flight finish (within the configured delay) and closes the database.
 */
export interface ServerOptions {
  /** An INSi client other than the configured one (the demo's, on the sandbox). */
  insi?: InsiClient | null;
  /** A Pro Santé Connect realm other than the configured one (the demo's emulator). */
  psc?: PscSettings | null;
  /** A FranceConnect+ other than the configured one (the demo's emulator). */
  franceconnect?: FranceConnectSettings | null;
  /** The clock of login decisions (tests set the date the RIE rules are read at). */
  now?: () => Date;
}

export async function startServer(
  config: Config,
  database?: Database,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const db = database ?? (await openConfiguredDatabase(config));
  // The server closes the INSi client it made from the configuration; one passed in belongs to the caller.
  const ownInsi = options.insi === undefined ? insiClientFromConfig(config) : null;
  const pscSettings: PscSettings | null =
    options.psc !== undefined
      ? options.psc
      : config.psc && {
          discoveryUrl: config.psc.discoveryUrl,
          clientId: config.psc.clientId,
          clientSecret: config.psc.clientSecret,
          tls: config.psc.tls && {
            certPem: readFileSync(config.psc.tls.certPath, 'utf8'),
            keyPem: readFileSync(config.psc.tls.keyPath, 'utf8'),
            caPem: config.psc.tls.caPath ? readFileSync(config.psc.tls.caPath, 'utf8') : null,
          },
        };
  const fcSettings = options.franceconnect === undefined ? config.franceconnect : options.franceconnect;
  try {
    const migration = await migrate(db);
    const ctx: AppContext = {
      config,
      database: db,
      chain: new ChainMonitor(db),
      version,
      startedAt: new Date(),
      sessionSecret: resolveSessionSecret(config.sessionSecret, config.dataDir),
      insi: ownInsi ?? options.insi ?? null,
      psc: pscSettings
        ? new PscBroker(pscSettings, `${config.baseUrl}/connexion/psc/retour`, () => encryptionKey(db))
        : null,
      franceconnect: fcSettings
        ? new FranceConnectBroker(fcSettings, `${config.baseUrl}/connexion/franceconnect/retour`, () =>
            encryptionKey(db),
          )
        : null,
      ...(options.now ? { now: options.now } : {}),
    };
    const app = await buildApp(ctx);
    await app.listen({ port: config.port, host: config.host });
    if (migration.newlyApplied.length > 0)
      app.log.info({ migrations: migration.newlyApplied }, 'migrations applied');
    await appendEvent(db, {
      action: 'system.start',
      outcome: 'success',
      actor: { kind: 'system' },
      details: { version, driver: db.driver },
    });
    // The first full check of the chain runs in the background; the console shows its progress.
    ctx.chain.refresh().catch((error: unknown) => app.log.error({ err: error }, 'audit chain check failed'));
    const refresh = scheduleDirectoryRefresh(db, config, app.log);
    const alerts = scheduleCertificateAlerts(db, config, app.log);
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    let closing: Promise<void> | undefined;
    return {
      app,
      database: db,
      url: `http://localhost:${port}`,
      close() {
        closing ??= (async () => {
          refresh?.stop();
          alerts.stop();
          const timer = setTimeout(
            () => app.server.closeAllConnections(),
            config.shutdownTimeoutSeconds * 1000,
          );
          try {
            await app.close();
          } finally {
            clearTimeout(timer);
            await ownInsi?.close();
            await db.close();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    if (!database) await db.close().catch(() => {});
    throw error;
  }
}
