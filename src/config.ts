import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Cron } from 'croner';
import { parseTemplate } from './readiness/rpps-plus.ts';

function isCron(expression: string): boolean {
  if (expression.trim().split(/\s+/).length !== 5) return false;
  try {
    new Cron(expression, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  baseUrl: string;
  /** Unset means the embedded PGlite database under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: LogLevel;
  rateLimit: { max: number; windowSeconds: number };
  bodyLimitBytes: number;
  trustProxy: boolean;
  dbPoolMax: number;
  shutdownTimeoutSeconds: number;
  directory: { sources: string; schedule: string; api: DirectoryApi | null; fhirCacheMegabytes: number };
  insi: InsiConfig | null;
  sessionSecret: string | null;
  /** Where certificate expiry alerts are sent from; null: alerts stay on the console. */
  smtp: { url: string; from: string } | null;
  alertSchedule: string;
  /** The Pro Santé Connect realm the hub brokers professionals' logins to. */
  psc: {
    discoveryUrl: string;
    clientId: string;
    clientSecret: string | null;
    /** Mutual TLS with the structure's IGC Santé certificate, instead of (or with) the secret. */
    tls: { certPath: string; keyPath: string; caPath: string | null } | null;
  } | null;
  /** The FranceConnect+ service the hub brokers usagers' logins to. */
  franceconnect: { issuer: string; clientId: string; clientSecret: string } | null;
  /** Mutual TLS of structures' software: trusted authorities, and the header of a TLS terminator. */
  mtls: { caPath: string; header: string | null } | null;
  /** The service owner homologated the hub's own means (RIE v1) or holds an attestation de conformité (v2). */
  localMeansHomologated: boolean;
  /** The RIE rule set the hub applies. */
  rie: 'v1' | 'v2';
  /** A JSON template replacing the default layout of the RPPS+ bulk file. */
  rppsPlusTemplate: string | null;
}

/** One documented environment variable: the README's configuration table is checked against this list. */
export interface VariableSpec {
  name: string;
  expected: string;
  defaultValue: string;
  description: string;
}

/** The national Annuaire Santé FHIR API the mirror syncs from, when configured. */
export interface DirectoryApi {
  url: string;
  key: string;
  requestsPerSecond: number;
  pageSize: number;
}

/** The INSi téléservice and the structure's certificate files (read when the service starts). */
export interface InsiConfig {
  url: string;
  certPath: string;
  keyPath: string;
  caPath: string;
  idam: string;
}

export const variables: VariableSpec[] = [
  {
    name: 'PORT',
    expected: 'un entier entre 0 et 65535 (0 : port libre choisi par le système)',
    defaultValue: '8080',
    description: 'Port d’écoute HTTP.',
  },
  {
    name: 'HOST',
    expected: 'un nom d’hôte ou une adresse IP',
    defaultValue: 'localhost',
    description: 'Adresse d’écoute (`0.0.0.0` pour écouter sur toutes les interfaces).',
  },
  {
    name: 'CONFIANCE_BASE_URL',
    expected: 'une URL http(s) absolue sans paramètres, par exemple https://confiance.exemple.fr',
    defaultValue: 'http://localhost:$PORT',
    description: 'URL publique de l’instance (liens, émetteur OpenID Connect).',
  },
  {
    name: 'DATABASE_URL',
    expected: 'une URL postgres://utilisateur@hôte:port/base',
    defaultValue: '(vide : base embarquée PGlite)',
    description: 'Serveur PostgreSQL ; sans elle, base embarquée dans `CONFIANCE_DATA_DIR/pglite`.',
  },
  {
    name: 'CONFIANCE_DATA_DIR',
    expected: 'un chemin de répertoire',
    defaultValue: './data',
    description: 'Répertoire des données locales (base embarquée, clés).',
  },
  {
    name: 'LOG_LEVEL',
    expected: 'fatal, error, warn, info, debug, trace ou silent',
    defaultValue: 'info',
    description: 'Niveau des journaux techniques (JSON sur la sortie standard).',
  },
  {
    name: 'CONFIANCE_RATE_LIMIT_MAX',
    expected: 'un entier strictement positif',
    defaultValue: '600',
    description: 'Requêtes permises par adresse IP et par fenêtre.',
  },
  {
    name: 'CONFIANCE_RATE_LIMIT_WINDOW_SECONDS',
    expected: 'un entier strictement positif',
    defaultValue: '60',
    description: 'Durée de la fenêtre de limitation, en secondes.',
  },
  {
    name: 'CONFIANCE_BODY_LIMIT_BYTES',
    expected: 'un entier strictement positif',
    defaultValue: '1048576',
    description: 'Taille maximale d’un corps de requête, en octets.',
  },
  {
    name: 'CONFIANCE_TRUST_PROXY',
    expected: 'true ou false',
    defaultValue: 'false',
    description: 'Faire confiance aux en-têtes `X-Forwarded-*` d’un proxy inverse.',
  },
  {
    name: 'CONFIANCE_DB_POOL_MAX',
    expected: 'un entier strictement positif',
    defaultValue: '10',
    description: 'Connexions PostgreSQL maximales par processus.',
  },
  {
    name: 'CONFIANCE_FHIR_CACHE_MB',
    expected: 'un entier positif ou nul',
    defaultValue: '32',
    description:
      'Mémoire par processus des réponses de l’API FHIR gardées jusqu’à la génération suivante de l’annuaire (0 : aucune).',
  },
  {
    name: 'CONFIANCE_SHUTDOWN_TIMEOUT_SECONDS',
    expected: 'un entier strictement positif',
    defaultValue: '10',
    description: 'Délai accordé aux requêtes en cours lors d’un arrêt.',
  },
  {
    name: 'CONFIANCE_DIRECTORY_SOURCES',
    expected: 'des URL http(s) ou des dossiers, séparés par des virgules',
    defaultValue: '(vide : pas de mise à jour planifiée)',
    description:
      'Sources de l’annuaire vérifiées à chaque échéance (service de téléchargement de l’ANS ou dossier).',
  },
  {
    name: 'CONFIANCE_DIRECTORY_SCHEDULE',
    expected: 'une expression cron à 5 champs, heure de Paris',
    defaultValue: '30 3 * * *',
    description: 'Échéance de la mise à jour de l’annuaire (par défaut chaque nuit à 3 h 30).',
  },
  {
    name: 'CONFIANCE_ANNUAIRE_API_URL',
    expected: 'une URL http(s), base FHIR de l’API Annuaire Santé',
    defaultValue: '(vide : pas de synchronisation par l’API)',
    description:
      'API FHIR de l’Annuaire Santé à synchroniser à chaque échéance (`https://gateway.api.esante.gouv.fr/fhir/v2`, ou le bac à sable).',
  },
  {
    name: 'CONFIANCE_ANNUAIRE_API_KEY',
    expected: 'la clé d’API (en-tête ESANTE-API-KEY)',
    defaultValue: '(aucune)',
    description:
      'Clé d’API obtenue sur le portail de l’ANS ; requise avec `CONFIANCE_ANNUAIRE_API_URL`, jamais journalisée.',
  },
  {
    name: 'CONFIANCE_ANNUAIRE_API_RATE',
    expected: 'un entier entre 1 et 1000 (requêtes par seconde)',
    defaultValue: '17',
    description: 'Débit maximal de la synchronisation (la limite nationale est de 17 requêtes par seconde).',
  },
  {
    name: 'CONFIANCE_ANNUAIRE_API_PAGE_SIZE',
    expected: 'un entier entre 1 et 1000',
    defaultValue: '200',
    description: 'Ressources demandées par page (l’ANS recommande au plus 200).',
  },
  {
    name: 'CONFIANCE_INSI_URL',
    expected: 'une URL https',
    defaultValue: '(vide : pas d’appel INSi ; la démonstration utilise le bac à sable)',
    description: 'Point d’accès du téléservice INSi en authentification mutuelle TLS.',
  },
  {
    name: 'CONFIANCE_INSI_CERT',
    expected: 'le chemin d’un certificat PEM nommé INSI-AUTO ou INSI-MANU',
    defaultValue: '(aucun)',
    description: 'Certificat de structure IGC Santé présenté à INSi ; requis avec `CONFIANCE_INSI_URL`.',
  },
  {
    name: 'CONFIANCE_INSI_KEY',
    expected: 'le chemin de la clé privée PEM du certificat',
    defaultValue: '(aucune)',
    description: 'Clé privée du certificat INSi (lue au démarrage, jamais journalisée ni stockée en base).',
  },
  {
    name: 'CONFIANCE_INSI_CA',
    expected: 'le chemin d’un fichier PEM d’autorités de certification',
    defaultValue: '(aucun)',
    description: 'Autorités reconnues pour le serveur INSi (AC racine et AC organisations IGC Santé).',
  },
  {
    name: 'CONFIANCE_INSI_IDAM',
    expected: 'le numéro d’autorisation CNDA du logiciel',
    defaultValue: '(aucun)',
    description: 'Numéro d’autorisation (IDAM) délivré par le CNDA, transmis dans le contexte LPS.',
  },
  {
    name: 'CONFIANCE_SMTP_URL',
    expected:
      'une URL smtp:// ou smtps:// (identifiants possibles : smtps://utilisateur:motdepasse@hôte:465)',
    defaultValue: '(aucun : les alertes restent affichées sur la console)',
    description: 'Serveur de messagerie des alertes d’expiration des certificats (90, 30 et 7 jours avant).',
  },
  {
    name: 'CONFIANCE_SMTP_FROM',
    expected: 'une adresse électronique, éventuellement précédée d’un nom',
    defaultValue: 'Confiance <confiance@localhost>',
    description: 'Expéditeur des alertes.',
  },
  {
    name: 'CONFIANCE_ALERT_SCHEDULE',
    expected: 'une expression cron (heure de Paris)',
    defaultValue: '0 7 * * *',
    description: 'Échéance du contrôle quotidien des certificats et de l’envoi des alertes.',
  },
  {
    name: 'CONFIANCE_PSC_DISCOVERY_URL',
    expected: 'l’URL https de .well-known/wallet-openid-configuration du royaume Pro Santé Connect',
    defaultValue: '(aucune : la démonstration utilise l’émulateur du bac à sable)',
    description:
      'Découverte de Pro Santé Connect, vers qui le fournisseur de connexion renvoie les professionnels.',
  },
  {
    name: 'CONFIANCE_PSC_CLIENT_ID',
    expected: 'l’identifiant client attribué par l’ANS',
    defaultValue: '(aucun)',
    description:
      'Identifiant de Confiance auprès de Pro Santé Connect ; requis avec `CONFIANCE_PSC_DISCOVERY_URL`.',
  },
  {
    name: 'CONFIANCE_PSC_CLIENT_SECRET',
    expected: 'le secret client attribué par l’ANS',
    defaultValue: '(aucun)',
    description: 'Secret client Pro Santé Connect ; jamais journalisé.',
  },
  {
    name: 'CONFIANCE_FC_ISSUER',
    expected: 'l’URL https de l’émetteur FranceConnect+ (…/api/v2)',
    defaultValue: '(aucune : la démonstration utilise l’émulateur du bac à sable)',
    description: 'FranceConnect+, vers qui le fournisseur de connexion renvoie les usagers et les aidants.',
  },
  {
    name: 'CONFIANCE_FC_CLIENT_ID',
    expected: 'l’identifiant client FranceConnect+',
    defaultValue: '(aucun)',
    description: 'Identifiant de Confiance auprès de FranceConnect+ ; requis avec `CONFIANCE_FC_ISSUER`.',
  },
  {
    name: 'CONFIANCE_FC_CLIENT_SECRET',
    expected: 'le secret client FranceConnect+',
    defaultValue: '(aucun)',
    description: 'Secret client FranceConnect+ ; jamais journalisé.',
  },
  {
    name: 'CONFIANCE_MTLS_CA',
    expected: 'le chemin d’un fichier PEM d’autorités (AC racine et AC organisations IGC Santé)',
    defaultValue: '(aucun : pas de client structure)',
    description: 'Autorités des certificats des logiciels de structure (personnes morales) en TLS mutuel.',
  },
  {
    name: 'CONFIANCE_MTLS_HEADER',
    expected: 'un nom d’en-tête HTTP (par exemple x-ssl-client-cert)',
    defaultValue: '(aucun : Confiance termine lui-même TLS)',
    description:
      'En-tête où le terminateur TLS transmet le certificat client (PEM encodé URL) ; il doit l’effacer des requêtes reçues.',
  },
  {
    name: 'CONFIANCE_LOCAL_MEANS_HOMOLOGATED',
    expected: 'true ou false',
    defaultValue: 'false',
    description:
      'Les moyens propres de Confiance (clé FIDO2, mot de passe et TOTP) sont homologués (RIE v1) ou couverts par une attestation de conformité (v2).',
  },
  {
    name: 'CONFIANCE_PSC_CERT',
    expected: 'le chemin d’un certificat PEM de la structure (IGC Santé)',
    defaultValue: '(aucun : secret client)',
    description: 'Certificat présenté à Pro Santé Connect en TLS mutuel (authentification tls_client_auth).',
  },
  {
    name: 'CONFIANCE_PSC_KEY',
    expected: 'le chemin de la clé privée PEM du certificat',
    defaultValue: '(aucune)',
    description:
      'Clé privée du certificat Pro Santé Connect (lue au démarrage, jamais journalisée ni stockée en base).',
  },
  {
    name: 'CONFIANCE_PSC_CA',
    expected: 'le chemin d’un fichier PEM d’autorités',
    defaultValue: '(autorités du système)',
    description: 'Autorités reconnues pour les serveurs de Pro Santé Connect en TLS mutuel.',
  },
  {
    name: 'CONFIANCE_RIE',
    expected: 'v1 ou v2',
    defaultValue: 'v1',
    description:
      'Version du référentiel d’identification électronique appliquée aux connexions (v2 : projet 2026).',
  },
  {
    name: 'CONFIANCE_RPPS_PLUS_TEMPLATE',
    expected: 'le chemin d’un fichier JSON (séparateur, format des dates, colonnes)',
    defaultValue: '(modèle intégré, voir docs/prerequis.md)',
    description:
      'Modèle du fichier de chargement en masse RPPS+, dont la disposition officielle n’est pas publiée.',
  },
  {
    name: 'CONFIANCE_SESSION_SECRET',
    expected: 'au moins 32 caractères aléatoires',
    defaultValue: '(généré dans le dossier de données)',
    description: 'Secret des sessions de la console ; à partager entre les instances d’un même service.',
  },
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration invalide :\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads the environment once; every problem is reported together so an operator fixes them in one pass. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const spec = (name: string): VariableSpec => {
    const found = variables.find((v) => v.name === name);
    if (!found) throw new Error(`unknown variable ${name}`);
    return found;
  };
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const fail = (name: string, value: string) =>
    problems.push(`${name} = « ${value} » n’est pas valide : attendu ${spec(name).expected}.`);
  const integer = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      fail(name, value);
      return fallback;
    }
    return n;
  };

  const port = integer('PORT', 8080, 0, 65535);
  const host = raw('HOST') ?? 'localhost';
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) fail('HOST', host);

  let baseUrl = `http://localhost:${port}`;
  const baseUrlRaw = raw('CONFIANCE_BASE_URL');
  if (baseUrlRaw !== undefined) {
    const parsed = URL.canParse(baseUrlRaw) ? new URL(baseUrlRaw) : undefined;
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.search || parsed.hash)
      fail('CONFIANCE_BASE_URL', baseUrlRaw);
    else baseUrl = parsed.href.replace(/\/$/, '');
  }

  const databaseUrl = raw('DATABASE_URL');
  if (databaseUrl !== undefined) {
    const parsed = URL.canParse(databaseUrl) ? new URL(databaseUrl) : undefined;
    // The URL may hold a password: never echo it back.
    if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol) || !parsed.hostname)
      problems.push(`DATABASE_URL n’est pas valide : attendu ${spec('DATABASE_URL').expected}.`);
  }

  const logLevel = (raw('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) fail('LOG_LEVEL', logLevel);

  const trustProxyRaw = raw('CONFIANCE_TRUST_PROXY') ?? 'false';
  if (trustProxyRaw !== 'true' && trustProxyRaw !== 'false') fail('CONFIANCE_TRUST_PROXY', trustProxyRaw);

  const directorySchedule = raw('CONFIANCE_DIRECTORY_SCHEDULE') ?? '30 3 * * *';
  if (!isCron(directorySchedule)) fail('CONFIANCE_DIRECTORY_SCHEDULE', directorySchedule);
  const directorySources = raw('CONFIANCE_DIRECTORY_SOURCES') ?? '';
  for (const source of directorySources
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean))
    if (/^[a-z]+:/i.test(source) && !/^https?:\/\/[^\s]+$/.test(source))
      fail('CONFIANCE_DIRECTORY_SOURCES', source);

  const apiUrl = raw('CONFIANCE_ANNUAIRE_API_URL');
  const apiKey = raw('CONFIANCE_ANNUAIRE_API_KEY');
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl)) fail('CONFIANCE_ANNUAIRE_API_URL', apiUrl);
  if (apiUrl !== undefined && apiKey === undefined)
    problems.push('CONFIANCE_ANNUAIRE_API_KEY est requise quand CONFIANCE_ANNUAIRE_API_URL est définie.');
  const requestsPerSecond = integer('CONFIANCE_ANNUAIRE_API_RATE', 17, 1, 1000);
  const pageSize = integer('CONFIANCE_ANNUAIRE_API_PAGE_SIZE', 200, 1, 1000);
  const api: DirectoryApi | null =
    apiUrl !== undefined && apiKey !== undefined
      ? { url: apiUrl, key: apiKey, requestsPerSecond, pageSize }
      : null;

  const insiUrl = raw('CONFIANCE_INSI_URL');
  let insi: InsiConfig | null = null;
  if (insiUrl !== undefined) {
    if (!/^https:\/\/[^\s]+$/.test(insiUrl)) fail('CONFIANCE_INSI_URL', insiUrl);
    const missing = [
      'CONFIANCE_INSI_CERT',
      'CONFIANCE_INSI_KEY',
      'CONFIANCE_INSI_CA',
      'CONFIANCE_INSI_IDAM',
    ].filter((name) => raw(name) === undefined);
    if (missing.length > 0) problems.push(`${missing.join(', ')} requis avec CONFIANCE_INSI_URL.`);
    else
      insi = {
        url: insiUrl,
        certPath: raw('CONFIANCE_INSI_CERT') as string,
        keyPath: raw('CONFIANCE_INSI_KEY') as string,
        caPath: raw('CONFIANCE_INSI_CA') as string,
        idam: raw('CONFIANCE_INSI_IDAM') as string,
      };
  }
  const sessionSecret = raw('CONFIANCE_SESSION_SECRET') ?? null;
  if (sessionSecret !== null && sessionSecret.length < 32)
    problems.push('CONFIANCE_SESSION_SECRET doit compter au moins 32 caractères.');

  const smtpUrl = raw('CONFIANCE_SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl))
    // The URL may hold a password: never echo it back.
    problems.push(`CONFIANCE_SMTP_URL n’est pas valide : attendu ${spec('CONFIANCE_SMTP_URL').expected}.`);
  const smtpFrom = raw('CONFIANCE_SMTP_FROM') ?? 'Confiance <confiance@localhost>';
  if (!/^(?:[^<>@]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(smtpFrom))
    fail('CONFIANCE_SMTP_FROM', smtpFrom);
  const alertSchedule = raw('CONFIANCE_ALERT_SCHEDULE') ?? '0 7 * * *';
  if (!isCron(alertSchedule)) fail('CONFIANCE_ALERT_SCHEDULE', alertSchedule);

  const pscDiscovery = raw('CONFIANCE_PSC_DISCOVERY_URL');
  let psc: Config['psc'] = null;
  if (pscDiscovery !== undefined) {
    if (!/^https?:\/\/[^\s]+\/\.well-known\/[a-z-]+$/.test(pscDiscovery))
      fail('CONFIANCE_PSC_DISCOVERY_URL', pscDiscovery);
    const id = raw('CONFIANCE_PSC_CLIENT_ID');
    const secret = raw('CONFIANCE_PSC_CLIENT_SECRET') ?? null;
    const cert = raw('CONFIANCE_PSC_CERT');
    const key = raw('CONFIANCE_PSC_KEY');
    if ((cert === undefined) !== (key === undefined))
      problems.push('CONFIANCE_PSC_CERT et CONFIANCE_PSC_KEY vont ensemble.');
    if (id === undefined || (secret === null && cert === undefined))
      problems.push(
        'CONFIANCE_PSC_CLIENT_ID, et CONFIANCE_PSC_CLIENT_SECRET ou un certificat (CONFIANCE_PSC_CERT, CONFIANCE_PSC_KEY), sont requis avec CONFIANCE_PSC_DISCOVERY_URL.',
      );
    else
      psc = {
        discoveryUrl: pscDiscovery,
        clientId: id,
        clientSecret: secret,
        tls:
          cert !== undefined && key !== undefined
            ? { certPath: cert, keyPath: key, caPath: raw('CONFIANCE_PSC_CA') ?? null }
            : null,
      };
  }
  const fcIssuer = raw('CONFIANCE_FC_ISSUER');
  let franceconnect: Config['franceconnect'] = null;
  if (fcIssuer !== undefined) {
    if (!/^https?:\/\/[^\s]+$/.test(fcIssuer)) fail('CONFIANCE_FC_ISSUER', fcIssuer);
    const id = raw('CONFIANCE_FC_CLIENT_ID');
    const secret = raw('CONFIANCE_FC_CLIENT_SECRET');
    if (id === undefined || secret === undefined)
      problems.push(
        'CONFIANCE_FC_CLIENT_ID et CONFIANCE_FC_CLIENT_SECRET sont requis avec CONFIANCE_FC_ISSUER.',
      );
    else franceconnect = { issuer: fcIssuer, clientId: id, clientSecret: secret };
  }
  const mtlsCa = raw('CONFIANCE_MTLS_CA');
  const mtlsHeader = raw('CONFIANCE_MTLS_HEADER') ?? null;
  if (mtlsHeader !== null && !/^[a-z0-9-]{1,64}$/i.test(mtlsHeader))
    fail('CONFIANCE_MTLS_HEADER', mtlsHeader);
  const homologatedRaw = raw('CONFIANCE_LOCAL_MEANS_HOMOLOGATED') ?? 'false';
  if (homologatedRaw !== 'true' && homologatedRaw !== 'false')
    fail('CONFIANCE_LOCAL_MEANS_HOMOLOGATED', homologatedRaw);
  const rie = raw('CONFIANCE_RIE') ?? 'v1';
  if (rie !== 'v1' && rie !== 'v2') fail('CONFIANCE_RIE', rie);

  const rppsPlusTemplatePath = raw('CONFIANCE_RPPS_PLUS_TEMPLATE');
  if (rppsPlusTemplatePath !== undefined) {
    try {
      parseTemplate(JSON.parse(readFileSync(rppsPlusTemplatePath, 'utf8')));
    } catch (e) {
      problems.push(`CONFIANCE_RPPS_PLUS_TEMPLATE : ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  const config: Config = {
    port,
    host,
    baseUrl,
    databaseUrl,
    dataDir: resolve(raw('CONFIANCE_DATA_DIR') ?? './data'),
    logLevel,
    rateLimit: {
      max: integer('CONFIANCE_RATE_LIMIT_MAX', 600, 1),
      windowSeconds: integer('CONFIANCE_RATE_LIMIT_WINDOW_SECONDS', 60, 1),
    },
    bodyLimitBytes: integer('CONFIANCE_BODY_LIMIT_BYTES', 1_048_576, 1),
    trustProxy: trustProxyRaw === 'true',
    dbPoolMax: integer('CONFIANCE_DB_POOL_MAX', 10, 1, 1000),
    shutdownTimeoutSeconds: integer('CONFIANCE_SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 3600),
    directory: {
      sources: directorySources,
      schedule: directorySchedule,
      api,
      fhirCacheMegabytes: integer('CONFIANCE_FHIR_CACHE_MB', 32, 0, 65_536),
    },
    insi,
    sessionSecret,
    smtp: smtpUrl !== undefined ? { url: smtpUrl, from: smtpFrom } : null,
    alertSchedule,
    rppsPlusTemplate: rppsPlusTemplatePath ?? null,
    psc,
    franceconnect,
    localMeansHomologated: homologatedRaw === 'true',
    mtls: mtlsCa !== undefined ? { caPath: mtlsCa, header: mtlsHeader?.toLowerCase() ?? null } : null,
    rie: rie === 'v2' ? 'v2' : 'v1',
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
