import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config.ts';
import { version } from '../../version.ts';
import { InsiClient } from './client.ts';

/** The UUID of this installation, sent in ContexteLPS: generated once in the data directory. */
export function installationId(dataDir: string): string {
  const file = join(dataDir, 'insi-instance');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomUUID());
  }
  return readFileSync(file, 'utf8').trim();
}

/** The INSi client the configuration describes, its certificate files read once; null when INSi is not set up. */
export function insiClientFromConfig(config: Config): InsiClient | null {
  if (!config.insi) return null;
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new Error(`${what} INSi illisible : ${path}`);
    }
  };
  return new InsiClient({
    url: config.insi.url,
    certPem: read(config.insi.certPath, 'Certificat'),
    keyPem: read(config.insi.keyPath, 'Clé privée'),
    caPem: read(config.insi.caPath, 'Fichier d’autorités'),
    idam: config.insi.idam,
    version,
    instance: installationId(config.dataDir),
  });
}
