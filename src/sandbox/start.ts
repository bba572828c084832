import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, openDatabase } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { generateDirectory } from '../directory/generate/generate.ts';
import type { profiles } from '../directory/generate/population.ts';
import { importDirectory } from '../directory/import/import.ts';
import { InsiClient } from '../identity/insi/client.ts';
import { installationId } from '../identity/insi/configured.ts';
import { version } from '../version.ts';
import { buildAnnuaireEmulator } from './annuaire.ts';
import { startInsiEmulator, testIdentities } from './insi.ts';
import { createTestPki } from './pki.ts';
import { syntheticIdentities } from './synthetic-identities.ts';

/** The IDAM the sandbox's INSi knows; the real one comes from the CNDA. */
export const sandboxIdam = 'CONFIANCE-BAC-A-SABLE';

export interface AnnuaireSandboxOptions {
  /** Serve this directory database; otherwise a throw-away one is filled with a synthetic generation. */
  database?: Database;
  dataDir: string;
  host?: string;
  port: number;
  apiKey: string;
  requestsPerSecond?: number | null;
  profile?: keyof typeof profiles;
  seed?: number;
}

export interface RunningSandbox {
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

/** Starts the emulated national Annuaire Santé API on a loopback port. */
export async function startAnnuaireSandbox(options: AnnuaireSandboxOptions): Promise<RunningSandbox> {
  let database = options.database;
  let owned: Database | null = null;
  if (!database) {
    owned = await openDatabase({ pgliteDir: 'memory://' });
    database = owned;
    await migrate(database);
    const out = join(options.dataDir, `sandbox-annuaire-${options.profile ?? 'small'}-${options.seed ?? 1}`);
    const existing = existsSync(out) ? readdirSync(out).sort() : [];
    const dir =
      existing.length > 0
        ? join(out, existing[0] as string)
        : (
            await generateDirectory({
              profile: options.profile ?? 'small',
              seed: options.seed ?? 1,
              days: 1,
              out,
            })
          )[0]?.dir;
    if (!dir) throw new Error('génération de l’annuaire du bac à sable impossible');
    const report = await importDirectory(database, [dir]);
    if (report.status !== 'success') throw new Error(`annuaire du bac à sable : ${report.message}`);
  }
  const app = await buildAnnuaireEmulator({
    database,
    apiKeys: [options.apiKey],
    requestsPerSecond: options.requestsPerSecond === undefined ? 17 : options.requestsPerSecond,
  });
  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port });
  return {
    url: `${address}/fhir/v2`,
    apiKey: options.apiKey,
    async close() {
      await app.close();
      await owned?.close();
    },
  };
}

export interface RunningInsiSandbox {
  url: string;
  /** A client with the sandbox structure's INSI-AUTO certificate, as the demo uses it. */
  client: InsiClient;
  close(): Promise<void>;
}

/**
 * Starts the emulated INSi téléservice with a fresh test PKI, and a client holding an `INSI-AUTO` certificate of a
 * synthetic structure: the demo qualifies identities against it exactly as it would against the real service.
 */
export async function startInsiSandbox(options: {
  dataDir: string;
  port?: number;
  host?: string;
}): Promise<RunningInsiSandbox> {
  const pki = await createTestPki();
  const emulator = await startInsiEmulator({
    pki,
    idams: [sandboxIdam],
    identities: [...testIdentities, ...syntheticIdentities(500, 1)],
    port: options.port ?? 0,
    ...(options.host && { host: options.host }),
  });
  const cert = await pki.issueOrganisation({
    cn: 'INSI-AUTO',
    ou: '1920000000',
    o: 'EHPAD DE DEMONSTRATION',
  });
  const client = new InsiClient({
    url: emulator.url,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    caPem: pki.caPem,
    idam: sandboxIdam,
    version,
    instance: installationId(options.dataDir),
  });
  return {
    url: emulator.url,
    client,
    async close() {
      await client.close();
      await emulator.close();
    },
  };
}
