import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { loadConfig } from '../../config.ts';
import { clientsCommand, localAccountsCommand } from './cli.ts';
import { listClients } from './clients.ts';

let t: TestDatabase;
const said: string[] = [];
const run = (command: ReturnType<typeof clientsCommand>, args: string[]) =>
  command.parseAsync(['node', 'confiance', ...args]);
const withDatabase = <T>(fn: (d: TestDatabase['database'], c: ReturnType<typeof loadConfig>) => Promise<T>) =>
  fn(
    t.database,
    loadConfig({
      CONFIANCE_DATA_DIR: join(tmpdir(), 'confiance-test-cli'),
      CONFIANCE_SESSION_SECRET: 's'.repeat(40),
    }),
  );

beforeAll(async () => {
  t = await createTestDatabase('pglite');
});
afterAll(async () => t?.drop());

it('registers a DUI with its profile and a structure, lists and removes them', async () => {
  await run(
    clientsCommand(withDatabase, (x) => said.push(x)),
    ['add', '--nom', 'DUI', '--retour', 'https://d.fr/cb', '--acces-exterieur'],
  );
  expect(said.join('\n')).toMatch(
    /Client dui_\S+ enregistré \(service sensible : .*Accessible depuis l’extérieur/,
  );
  expect(said.join('\n')).toMatch(/Secret \(conservez-le, il ne sera plus affiché\) :\n[A-Za-z0-9_-]{43}/);
  await run(
    clientsCommand(withDatabase, (x) => said.push(x)),
    ['add-structure', '--nom', 'EHPAD', '--ou', '1690000012'],
  );
  const clients = await listClients(t.database);
  expect(clients.map((c) => c.authMethod).sort()).toEqual(['client_secret_basic', 'tls_client_auth']);
  await run(
    clientsCommand(withDatabase, (x) => said.push(x)),
    ['remove', clients[0]?.clientId as string],
  );
  expect(await listClients(t.database)).toHaveLength(1);
});

it('enrols a local account and shows its secrets once', async () => {
  said.length = 0;
  await run(
    localAccountsCommand(withDatabase, (x) => said.push(x)),
    ['add', '--idnat', '810000000017', '--nom', 'DUPONT', '--prenom', 'Anne'],
  );
  expect(said.join('\n')).toMatch(/otpauth:\/\/totp\/Confiance:810000000017\?/);
  said.length = 0;
  await run(
    localAccountsCommand(withDatabase, (x) => said.push(x)),
    ['unlock', '810000000017'],
  );
  expect(said).toEqual(['Fait.']);
});
