import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { appendEvent } from './audit/append.ts';
import { verifyChain } from './audit/verify.ts';
import {
  ApiTokenError,
  apiScopes,
  authenticateApiToken,
  createApiToken,
  listApiTokens,
  revokeApiToken,
} from './auth/api-token.ts';
import { LocalAccountError } from './auth/local/accounts.ts';
import { clientsCommand, localAccountsCommand, oidcCommand } from './auth/oidc/cli.ts';
import { ClientError } from './auth/oidc/clients.ts';
import { frenchHelp } from './cli/french-help.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { type Database, DatabaseUnavailableError } from './db/connect.ts';
import { MigrationError, migrate, migrationStatus } from './db/migrate.ts';
import { directoryCommand } from './directory/cli.ts';
import { ensureDemoDirectory } from './directory/demo.ts';
import { ensureDemoUsagers } from './identity/demo.ts';
import { ensureDemoOrganisation } from './readiness/demo.ts';
import { ensureSampleClient, startSampleDui } from './sandbox/sample-dui.ts';
import { startAnnuaireSandbox, startInsiSandbox } from './sandbox/start.ts';
import { openConfiguredDatabase, type RunningServer, startServer } from './server.ts';
import { version } from './version.ts';

const say = (text: string) => process.stdout.write(`${text}\n`);
const complain = (text: string) => process.stderr.write(`${text}\n`);

/** Expected failures end with one French line and a distinct exit code, never a stack trace. */
function fail(error: unknown): never {
  if (error instanceof ConfigError) {
    complain(error.message);
    process.exit(78);
  }
  if (error instanceof DatabaseUnavailableError) {
    complain(`Base de données indisponible : ${error.message}`);
    process.exit(69);
  }
  if (
    error instanceof MigrationError ||
    error instanceof ApiTokenError ||
    error instanceof ClientError ||
    error instanceof LocalAccountError
  ) {
    complain(error.message);
    process.exit(1);
  }
  const where = error instanceof Error ? (error.stack ?? error.message) : String(error);
  complain(`Erreur inattendue : ${where}`);
  process.exit(70);
}

async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  try {
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

/** On SIGINT/SIGTERM, stops what `alsoStop` holds (filled as the command starts things), then the server. */
function stopOnSignals(server: RunningServer, alsoStop: Array<() => Promise<void>> = []): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      complain(`Arrêt demandé (${signal}) : fin des requêtes en cours…`);
      Promise.all(alsoStop.map((stop) => stop().catch(() => {})))
        .then(() => server.close())
        .then(
          () => process.exit(0),
          (error: unknown) => fail(error),
        );
    });
  }
}

/** The demo keeps its API token in the data directory so that a restart shows the same one. */
async function demoToken(server: RunningServer, config: Config): Promise<string> {
  const file = join(config.dataDir, 'demo-api-token.txt');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    const client = await authenticateApiToken(server.database, saved);
    // A token saved by an earlier version may lack the rights added since: a new one is made then.
    if (client && Object.keys(apiScopes).every((scope) => client.scopes.includes(scope as never)))
      return saved;
  }
  const { token } = await createApiToken(server.database, {
    name: 'Démonstration',
    scopes: Object.keys(apiScopes),
  });
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

const program = new Command('confiance')
  .description(
    'Confiance : identification électronique des ESMS (annuaire, INS, connexion PSC/FC+, traçabilité).',
  )
  .version(version, '-V, --version', 'afficher la version');

program
  .command('serve')
  .description('Démarrer le service (console, API, santé, métriques) ; applique les migrations au démarrage.')
  .action(async () => {
    const config = loadConfig();
    const server = await startServer(config);
    stopOnSignals(server);
    say(`Confiance ${version} à l’écoute sur ${config.baseUrl} (base ${server.database.driver}).`);
  });

program
  .command('demo')
  .description(
    'Démarrer la démonstration : base embarquée et données synthétiques (commande de `npm start`).',
  )
  .action(async () => {
    // The demo's banner is what a newcomer reads; request logs stay available with LOG_LEVEL=info.
    const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
    // Without a configured INSi, the demo qualifies identities against the sandbox's emulated téléservice.
    const insi = config.insi ? null : await startInsiSandbox({ dataDir: config.dataDir });
    // Without a configured Pro Santé Connect, professionals log in through the sandbox's emulator, which reads
    // the demo's directory: the database is opened first so that both share it.
    const database = await openConfiguredDatabase(config);
    await migrate(database);
    const pscSecret = 'secret-du-bac-a-sable';
    const { startPscEmulator } = await import('./sandbox/psc.ts');
    const psc = config.psc
      ? null
      : await startPscEmulator({
          database,
          clients: [
            {
              clientId: 'confiance',
              clientSecret: pscSecret,
              redirectUris: [`${config.baseUrl}/connexion/psc/retour`],
              postLogoutRedirectUris: [`${config.baseUrl}/connexion/psc/deconnexion`],
            },
          ],
          authPort: config.port + 2,
          walletPort: config.port + 3,
        });
    const { startFranceConnectEmulator } = await import('./sandbox/franceconnect.ts');
    const fcSecret = 'secret-fc-bac-a-sable';
    const fc = config.franceconnect
      ? null
      : await startFranceConnectEmulator({
          clients: [
            {
              clientId: 'confiance-fc',
              clientSecret: fcSecret,
              redirectUris: [`${config.baseUrl}/connexion/franceconnect/retour`],
              postLogoutRedirectUris: [`${config.baseUrl}/`],
              jwksUri: `${config.baseUrl}/connexion/jwks`,
            },
          ],
          port: config.port + 4,
        });
    const server = await startServer(config, database, {
      ...(insi ? { insi: insi.client } : {}),
      ...(psc
        ? { psc: { discoveryUrl: psc.discoveryUrl, clientId: 'confiance', clientSecret: pscSecret } }
        : {}),
      ...(fc
        ? { franceconnect: { issuer: fc.issuer, clientId: 'confiance-fc', clientSecret: fcSecret } }
        : {}),
    });
    const alsoStop: Array<() => Promise<void>> = [];
    if (insi) alsoStop.push(() => insi.close());
    if (psc) alsoStop.push(() => psc.close());
    if (fc) alsoStop.push(() => fc.close());
    const duiPort = config.port + 1;
    const duiClient = await ensureSampleClient(database, `http://127.0.0.1:${duiPort}`);
    const dui = await startSampleDui({ hubIssuer: `${config.baseUrl}/oidc`, ...duiClient, port: duiPort });
    alsoStop.push(() => dui.close());
    stopOnSignals(server, alsoStop);
    const token = await demoToken(server, config);
    const directory = await ensureDemoDirectory(server.database, config.dataDir);
    if (directory) say(`Annuaire de démonstration : ${directory}`);
    const usagers = await ensureDemoUsagers(server.database, insi?.client ?? null);
    if (usagers > 0) say(`Usagers de démonstration : ${usagers} identités synthétiques enregistrées.`);
    const organisation = await ensureDemoOrganisation(server.database, insi?.client ?? null);
    if (organisation)
      say(`Organisme de démonstration : FINESS juridique ${organisation}, trois établissements.`);
    // The emulated national API serves the demo's own mirror, so a DUI can be tried against either.
    const sandbox = await startAnnuaireSandbox({
      database: server.database,
      dataDir: config.dataDir,
      port: 0,
      apiKey: 'bac-a-sable',
    });
    alsoStop.push(() => sandbox.close());
    say(
      [
        '',
        `  Confiance ${version} — démonstration (données synthétiques uniquement)`,
        '',
        `  Console            ${config.baseUrl}/`,
        `  Annuaire           ${config.baseUrl}/annuaire`,
        `  FHIR (annuaire)    ${config.baseUrl}/fhir/Practitioner?name=mar`,
        `  API ANS émulée     ${sandbox.url}  (ESANTE-API-KEY: ${sandbox.apiKey})`,
        `  Usagers et INS     ${config.baseUrl}/usagers  (session : ${config.baseUrl}/session avec le jeton ci-dessous)`,
        `  Prérequis Ségur    ${config.baseUrl}/prerequis`,
        `  Connexion (OIDC)   ${config.baseUrl}/oidc/.well-known/openid-configuration`,
        `  DUI d’exemple      ${dui.url}  (professionnel : PSC émulé, e-CPS ou carte ; usager : FranceConnect+ émulé)`,
        `  PSC émulé          ${psc ? psc.discoveryUrl : config.psc?.discoveryUrl}`,
        `  FranceConnect+     ${fc ? `${fc.issuer} (émulé ; usagers fictifs dont les identités de test INSi)` : config.franceconnect?.issuer}`,
        `  INSi               ${insi ? `${insi.url} (bac à sable ; identités de test : ECETINSI, CORSE, TCHITCHI…)` : config.insi?.url}`,
        `  Référence de l’API ${config.baseUrl}/api/v1/reference`,
        `  Santé, métriques   ${config.baseUrl}/health  ${config.baseUrl}/metrics`,
        `  Base de données    ${server.database.driver} (${server.database.location})`,
        `  Jeton d’API        ${token}`,
        '',
        `  Essai : curl -H "Authorization: Bearer ${token}" ${config.baseUrl}/api/v1/audit/events`,
        '  Arrêt : Ctrl+C',
        '',
      ].join('\n'),
    );
  });

program
  .command('sandbox')
  .description(
    'Démarrer le bac à sable : émulateur de l’API FHIR nationale de l’Annuaire Santé sur un annuaire synthétique.',
  )
  .option('--port <port>', 'port d’écoute (boucle locale)', (v) => Number(v), 8444)
  .option('--api-key <clé>', 'clé attendue dans l’en-tête ESANTE-API-KEY', 'bac-a-sable')
  .option('--sans-limite', 'lever la limite de 17 requêtes par seconde')
  .action(async (options: { port: number; apiKey: string; sansLimite?: boolean }) => {
    const config = loadConfig();
    const sandbox = await startAnnuaireSandbox({
      dataDir: config.dataDir,
      port: options.port,
      apiKey: options.apiKey,
      requestsPerSecond: options.sansLimite ? null : 17,
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void sandbox.close());
    say(
      [
        '',
        '  Bac à sable Confiance — données synthétiques uniquement',
        '',
        `  API Annuaire Santé  ${sandbox.url}  (en-tête ESANTE-API-KEY: ${sandbox.apiKey})`,
        '',
        `  Synchroniser : CONFIANCE_ANNUAIRE_API_URL=${sandbox.url} CONFIANCE_ANNUAIRE_API_KEY=${sandbox.apiKey} npx confiance directory sync`,
        '  Arrêt : Ctrl+C',
        '',
      ].join('\n'),
    );
  });

const db = program.command('db').description('Gérer le schéma de la base de données.');
db.command('migrate')
  .description('Appliquer les migrations en attente (sans effet si le schéma est à jour).')
  .action(() =>
    withDatabase(async (database) => {
      const result = await migrate(database);
      await appendEvent(database, {
        action: 'db.migrate',
        outcome: 'success',
        actor: { kind: 'system' },
        details: { applied: result.newlyApplied },
      });
      say(
        result.newlyApplied.length
          ? `Migrations appliquées : ${result.newlyApplied.join(', ')}.`
          : `Schéma à jour (version ${result.latest}).`,
      );
    }),
  );
db.command('status')
  .description('Afficher les migrations appliquées et en attente.')
  .action(() =>
    withDatabase(async (database) => {
      const status = await migrationStatus(database);
      say(`Base : ${database.driver} (${database.location})`);
      say(`Migrations appliquées : ${status.applied.length} / ${status.latest}`);
      if (status.pending.length)
        say(`En attente : ${status.pending.join(', ')} — lancez \`confiance db migrate\`.`);
    }),
  );

const audit = program.command('audit').description('Contrôler le journal d’audit.');
audit
  .command('verify')
  .description(
    'Recalculer toute la chaîne d’empreintes et nommer le premier événement rompu (code 2 si rompue).',
  )
  .action(() =>
    withDatabase(async (database) => {
      await migrate(database);
      const started = performance.now();
      const showProgress = process.stderr.isTTY;
      const result = await verifyChain(database, {
        onProgress: (n) =>
          showProgress && process.stderr.write(`\r${n.toLocaleString('fr-FR')} événements vérifiés…`),
      });
      if (showProgress) process.stderr.write('\r\x1b[K');
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (result.firstBreak) {
        say(
          `Chaîne d’audit ROMPUE à l’événement n° ${result.firstBreak.seq} : ${result.firstBreak.detail}. ` +
            `Événements 1 à ${result.verifiedUpTo.seq} intègres.`,
        );
        process.exitCode = 2;
      } else {
        const n = result.checked;
        say(
          `Chaîne d’audit intègre : ${n} événement${n > 1 ? 's' : ''} vérifié${n > 1 ? 's' : ''} en ${seconds} s.`,
        );
      }
      await appendEvent(database, {
        action: 'audit.verify',
        outcome: result.firstBreak ? 'failure' : 'success',
        actor: { kind: 'system' },
        details: { checked: result.checked, firstBreak: result.firstBreak?.seq ?? null },
      });
    }),
  );

const tokens = program.command('api-token').description('Gérer les jetons d’accès à l’API.');
tokens
  .command('create')
  .description('Créer un jeton ; il n’est affiché qu’une fois.')
  .requiredOption('--nom <nom>', 'nom du logiciel ou de l’usage (par exemple « DUI Exemple »)')
  .addOption(
    new Option('--droits <droits...>', 'droits accordés')
      .choices(Object.keys(apiScopes))
      .makeOptionMandatory(),
  )
  .option('--idnat <idNat_PS>', 'pour un jeton personnel : idNat_PS de l’agent, que la traçabilité retiendra')
  .action((options: { nom: string; droits: string[]; idnat?: string }) =>
    withDatabase(async (database) => {
      await migrate(database);
      const { id, token } = await createApiToken(database, {
        name: options.nom,
        scopes: options.droits,
        idNat: options.idnat ?? null,
      });
      await appendEvent(database, {
        action: 'api-token.create',
        outcome: 'success',
        actor: { kind: 'system' },
        subject: { type: 'api-token', id },
        details: { scopes: options.droits },
      });
      say(`Jeton ${id} créé. Conservez-le, il ne sera plus affiché :\n${token}`);
    }),
  );
tokens
  .command('list')
  .description('Lister les jetons (sans leur secret).')
  .action(() =>
    withDatabase(async (database) => {
      await migrate(database);
      const list = await listApiTokens(database);
      if (list.length === 0) say('Aucun jeton.');
      for (const t of list)
        say(
          `${t.id}  ${t.revokedAt ? 'révoqué ' : 'actif   '}  ${t.scopes.join(',')}  ${t.name}` +
            `  (dernier usage : ${t.lastUsedAt?.toISOString() ?? 'jamais'})`,
        );
    }),
  );
tokens
  .command('revoke')
  .description('Révoquer un jeton.')
  .argument('<id>', 'identifiant du jeton (12 caractères hexadécimaux)')
  .action((id: string) =>
    withDatabase(async (database) => {
      await migrate(database);
      const done = await revokeApiToken(database, id);
      if (done)
        await appendEvent(database, {
          action: 'api-token.revoke',
          outcome: 'success',
          actor: { kind: 'system' },
          subject: { type: 'api-token', id },
        });
      say(done ? `Jeton ${id} révoqué.` : `Aucun jeton actif ${id}.`);
      if (!done) process.exitCode = 1;
    }),
  );

const migrated: Parameters<typeof clientsCommand>[0] = (fn) =>
  withDatabase(async (database, config) => {
    await migrate(database);
    return fn(database, config);
  });
program.addCommand(clientsCommand(migrated, say));
program.addCommand(oidcCommand(migrated, say));
program.addCommand(localAccountsCommand(migrated, say));

program.addCommand(
  directoryCommand(
    (fn) =>
      withDatabase(async (database, config) => {
        await migrate(database);
        return fn(database, config);
      }),
    say,
  ),
);

frenchHelp(program);
program.parseAsync().catch(fail);
