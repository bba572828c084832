import { Command, Option } from 'commander';
import { appendEvent } from '../../audit/append.ts';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/connect.ts';
import { resolveSessionSecret } from '../../web/session.ts';
import { enrolLocalAccount, removeLocalAccount, unlockLocalAccount } from '../local/accounts.ts';
import { createEnrolmentLink, revokeKeys } from '../local/security-keys.ts';
import type { ServiceProfile } from '../policy/sensitive.ts';
import { sensitivity } from '../policy/sensitive.ts';
import { addClient, addStructureClient, listClients, removeClient } from './clients.ts';
import { rotateSigningKey } from './keys.ts';

type WithDatabase = <T>(fn: (database: Database, config: Config) => Promise<T>) => Promise<T>;
type Say = (text: string) => void;

const count = (v: string) => {
  if (!/^\d{1,8}$/.test(v)) throw new Error(`« ${v} » n’est pas un nombre entier positif.`);
  return Number(v);
};

/** `confiance clients add|list|remove` and `confiance oidc rotate-keys`. */
export function clientsCommand(withDatabase: WithDatabase, say: Say): Command {
  const clients = new Command('clients').description(
    'Logiciels (DUI) qui délèguent leur connexion à Confiance.',
  );
  clients
    .command('add')
    .description('Enregistrer un DUI ; son secret n’est affiché qu’une fois.')
    .requiredOption('--nom <nom>', 'nom du logiciel')
    .requiredOption('--retour <url...>', 'URL de retour après connexion (redirect_uri)')
    .option('--retour-deconnexion <url...>', 'URL de retour après déconnexion', [])
    .option('--deconnexion-canal-arriere <url>', 'URL de déconnexion par canal arrière (back-channel logout)')
    .option(
      '--jwks-uri <url>',
      'authentification private_key_jwt avec les clés publiées à cette URL (sinon : secret)',
    )
    .option('--sans-donnees-sante', 'le DUI ne traite pas de données de santé')
    .option('--partage', 'le DUI est partagé au-delà d’une personne morale')
    .option('--sans-service-partage', 'le DUI n’intègre aucun service partagé (DMP, MSSanté, INSi…)')
    .option('--acces-exterieur', 'le DUI est accessible depuis l’extérieur du système d’information')
    .addOption(new Option('--usagers-par-an <n>', 'nouveaux usagers par an').argParser(count).default(0))
    .addOption(
      new Option('--professionnels-par-an <n>', 'professionnels distincts par an')
        .argParser(count)
        .default(0),
    )
    .action(
      (o: {
        nom: string;
        retour: string[];
        retourDeconnexion: string[];
        deconnexionCanalArriere?: string;
        jwksUri?: string;
        finess?: string;
        sansDonneesSante?: boolean;
        partage?: boolean;
        sansServicePartage?: boolean;
        accesExterieur?: boolean;
        usagersParAn: number;
        professionnelsParAn: number;
      }) =>
        withDatabase(async (database) => {
          const profile: ServiceProfile = {
            processesHealthData: !o.sansDonneesSante,
            shared: !!o.partage,
            integratesShared: !o.sansServicePartage,
            externalAccess: !!o.accesExterieur,
            newUsagersPerYear: o.usagersParAn,
            professionalsPerYear: o.professionnelsParAn,
          };
          const { clientId, clientSecret } = await addClient(
            database,
            {
              name: o.nom,
              redirectUris: o.retour,
              postLogoutRedirectUris: o.retourDeconnexion,
              backchannelLogoutUri: o.deconnexionCanalArriere ?? null,
              auth: o.jwksUri
                ? { method: 'private_key_jwt', jwksUri: o.jwksUri }
                : { method: 'client_secret_basic' },
              profile,
            },
            'cli',
          );
          const s = sensitivity(profile);
          say(
            `Client ${clientId} enregistré (${s.sensitive ? 'service sensible' : 'service non sensible'} : ${s.reasons.join(' ')})`,
          );
          if (clientSecret) say(`Secret (conservez-le, il ne sera plus affiché) :\n${clientSecret}`);
        }),
    );
  clients
    .command('add-structure')
    .description(
      'Enregistrer le logiciel d’une structure (TLS mutuel avec son certificat IGC Santé, alimentation seule).',
    )
    .requiredOption('--nom <nom>', 'nom du logiciel ou de la structure')
    .requiredOption('--ou <idNat_Struct>', 'OU du certificat : 1 + FINESS, 2 + SIREN ou 3 + SIRET')
    .action((o: { nom: string; ou: string }) =>
      withDatabase(async (database) => {
        const { clientId } = await addStructureClient(database, { name: o.nom, idNatStruct: o.ou }, 'cli');
        say(
          `Client structure ${clientId} enregistré : il s’authentifie avec un certificat dont l’OU vaut ${o.ou}.`,
        );
      }),
    );
  clients
    .command('list')
    .description('Lister les DUI enregistrés.')
    .action(() =>
      withDatabase(async (database) => {
        const list = await listClients(database);
        if (list.length === 0) say('Aucun client.');
        for (const c of list)
          say(
            `${c.clientId}  ${c.authMethod}  ${sensitivity(c.profile).sensitive ? 'sensible' : 'non sensible'}  ${c.name}  ${c.redirectUris.join(' ')}`,
          );
      }),
    );
  clients
    .command('remove')
    .description('Retirer un DUI, ses sessions et ses jetons.')
    .argument('<client_id>')
    .action((id: string) =>
      withDatabase(async (database) => {
        await removeClient(database, id, 'cli');
        say(`Client ${id} retiré.`);
      }),
    );
  return clients;
}

/** `confiance local-accounts add|unlock|remove`: the hub's own means, where the RIE still admits them. */
export function localAccountsCommand(withDatabase: WithDatabase, say: Say): Command {
  const local = new Command('local-accounts').description(
    'Comptes locaux (mot de passe et code TOTP) des professionnels, là où le RIE les admet encore.',
  );
  local
    .command('add')
    .description(
      'Inscrire un professionnel ; son mot de passe et son secret TOTP ne sont affichés qu’une fois.',
    )
    .requiredOption('--idnat <idNat_PS>', '8 + RPPS ou 0 + ADELI')
    .requiredOption('--nom <nom>', 'nom d’exercice')
    .requiredOption('--prenom <prénom>', 'prénom d’exercice')
    .action((o: { idnat: string; nom: string; prenom: string }) =>
      withDatabase(async (database, config) => {
        const e = await enrolLocalAccount(
          database,
          resolveSessionSecret(config.sessionSecret, config.dataDir),
          { idNat: o.idnat, nom: o.nom, prenom: o.prenom },
          'cli',
        );
        await appendEvent(database, {
          action: 'auth.local.enrol',
          outcome: 'success',
          actor: { kind: 'system', id: 'cli' },
          subject: { type: 'local-account', id: o.idnat },
        });
        say(`Compte local créé pour ${o.idnat}. À remettre à la personne, une seule fois :`);
        say(`  mot de passe : ${e.password}`);
        say(`  secret TOTP  : ${e.totpSecret}`);
        say(`  ${e.otpauthUri}`);
      }),
    );
  local
    .command('key-link')
    .description(
      'Créer le lien (24 h, à usage unique) par lequel la personne enregistre sa clé de sécurité FIDO2.',
    )
    .argument('<idNat_PS>')
    .action((idNat: string) =>
      withDatabase(async (database, config) => {
        const token = await createEnrolmentLink(database, idNat);
        await appendEvent(database, {
          action: 'auth.local.key.link',
          outcome: 'success',
          actor: { kind: 'system', id: 'cli' },
          subject: { type: 'local-account', id: idNat },
        });
        say(
          `À remettre à la personne, valable 24 heures et une seule fois :\n${config.baseUrl}/connexion/cle/${token}`,
        );
      }),
    );
  local
    .command('revoke-keys')
    .description('Révoquer les clés de sécurité d’un compte local.')
    .argument('<idNat_PS>')
    .action((idNat: string) =>
      withDatabase(async (database) => {
        const n = await revokeKeys(database, idNat);
        await appendEvent(database, {
          action: 'auth.local.key.revoke',
          outcome: 'success',
          actor: { kind: 'system', id: 'cli' },
          subject: { type: 'local-account', id: idNat },
          details: { keys: n },
        });
        say(`${n} clé(s) révoquée(s).`);
      }),
    );
  for (const [name, description, fn, action] of [
    ['unlock', 'Déverrouiller un compte après dix échecs.', unlockLocalAccount, 'auth.local.unlock'],
    ['remove', 'Révoquer un compte local.', removeLocalAccount, 'auth.local.remove'],
  ] as const)
    local
      .command(name)
      .description(description)
      .argument('<idNat_PS>')
      .action((idNat: string) =>
        withDatabase(async (database) => {
          const done = await fn(database, idNat);
          if (done)
            await appendEvent(database, {
              action,
              outcome: 'success',
              actor: { kind: 'system', id: 'cli' },
              subject: { type: 'local-account', id: idNat },
            });
          say(done ? 'Fait.' : `Aucun compte local ${idNat}.`);
          if (!done) process.exitCode = 1;
        }),
      );
  return local;
}

export function oidcCommand(withDatabase: WithDatabase, say: Say): Command {
  const oidc = new Command('oidc').description('Fournisseur OpenID Connect de Confiance.');
  oidc
    .command('rotate-keys')
    .description(
      'Créer une nouvelle clé de signature ; les autres restent publiées le temps de la durée de vie des jetons.',
    )
    .action(() =>
      withDatabase(async (database) => {
        const kid = await rotateSigningKey(database);
        say(`Nouvelle clé ${kid} ; elle signera après le redémarrage des instances.`);
      }),
    );
  return oidc;
}
