import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: 'localhost',
      baseUrl: 'http://localhost:8080',
      databaseUrl: undefined,
      logLevel: 'info',
      rateLimit: { max: 600, windowSeconds: 60 },
      trustProxy: false,
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('reads every variable', () => {
    const template = join(mkdtempSync(join(tmpdir(), 'confiance-config-')), 'rpps-plus.json');
    writeFileSync(
      template,
      JSON.stringify({ separator: ';', dates: 'fr', columns: [{ header: 'NOM', field: 'nom' }] }),
    );
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      CONFIANCE_BASE_URL: 'https://confiance.exemple.fr/',
      DATABASE_URL: 'postgres://u:p@db:5432/confiance',
      CONFIANCE_DATA_DIR: '/var/lib/confiance',
      LOG_LEVEL: 'warn',
      CONFIANCE_RATE_LIMIT_MAX: '10',
      CONFIANCE_RATE_LIMIT_WINDOW_SECONDS: '5',
      CONFIANCE_BODY_LIMIT_BYTES: '2048',
      CONFIANCE_TRUST_PROXY: 'true',
      CONFIANCE_DB_POOL_MAX: '4',
      CONFIANCE_SHUTDOWN_TIMEOUT_SECONDS: '3',
      CONFIANCE_DIRECTORY_SOURCES: 'https://annuaire.exemple.fr/PS_LibreAcces, /srv/extractions',
      CONFIANCE_DIRECTORY_SCHEDULE: '0 2 * * 1-5',
      CONFIANCE_FHIR_CACHE_MB: '0',
      CONFIANCE_ANNUAIRE_API_URL: 'https://gateway.api.esante.gouv.fr/fhir/v2',
      CONFIANCE_ANNUAIRE_API_KEY: 'cle',
      CONFIANCE_ANNUAIRE_API_RATE: '10',
      CONFIANCE_ANNUAIRE_API_PAGE_SIZE: '100',
      CONFIANCE_INSI_URL: 'https://insi.exemple.fr/lps',
      CONFIANCE_INSI_CERT: '/etc/confiance/insi-auto.pem',
      CONFIANCE_INSI_KEY: '/etc/confiance/insi-auto.key',
      CONFIANCE_INSI_CA: '/etc/confiance/igc-sante.pem',
      CONFIANCE_INSI_IDAM: 'IDAM-TEST',
      CONFIANCE_SESSION_SECRET: 's'.repeat(40),
      CONFIANCE_SMTP_URL: 'smtps://alertes:secret@smtp.exemple.fr:465',
      CONFIANCE_SMTP_FROM: 'Confiance <alertes@exemple.fr>',
      CONFIANCE_ALERT_SCHEDULE: '30 6 * * 1-5',
      CONFIANCE_RPPS_PLUS_TEMPLATE: template,
      CONFIANCE_PSC_DISCOVERY_URL:
        'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/.well-known/wallet-openid-configuration',
      CONFIANCE_PSC_CLIENT_ID: 'confiance',
      CONFIANCE_PSC_CLIENT_SECRET: 'secret-psc',
      CONFIANCE_RIE: 'v2',
      CONFIANCE_FC_ISSUER: 'https://auth.franceconnect.gouv.fr/api/v2',
      CONFIANCE_FC_CLIENT_ID: 'confiance-fc',
      CONFIANCE_FC_CLIENT_SECRET: 'secret-fc',
      CONFIANCE_MTLS_CA: '/etc/confiance/igc-sante.pem',
      CONFIANCE_MTLS_HEADER: 'X-SSL-Client-Cert',
      CONFIANCE_LOCAL_MEANS_HOMOLOGATED: 'true',
    });
    expect(config).toEqual({
      port: 9000,
      host: '0.0.0.0',
      baseUrl: 'https://confiance.exemple.fr',
      databaseUrl: 'postgres://u:p@db:5432/confiance',
      dataDir: '/var/lib/confiance',
      logLevel: 'warn',
      rateLimit: { max: 10, windowSeconds: 5 },
      bodyLimitBytes: 2048,
      trustProxy: true,
      dbPoolMax: 4,
      shutdownTimeoutSeconds: 3,
      directory: {
        sources: 'https://annuaire.exemple.fr/PS_LibreAcces, /srv/extractions',
        schedule: '0 2 * * 1-5',
        fhirCacheMegabytes: 0,
        api: {
          url: 'https://gateway.api.esante.gouv.fr/fhir/v2',
          key: 'cle',
          requestsPerSecond: 10,
          pageSize: 100,
        },
      },
      insi: {
        url: 'https://insi.exemple.fr/lps',
        certPath: '/etc/confiance/insi-auto.pem',
        keyPath: '/etc/confiance/insi-auto.key',
        caPath: '/etc/confiance/igc-sante.pem',
        idam: 'IDAM-TEST',
      },
      sessionSecret: 's'.repeat(40),
      smtp: { url: 'smtps://alertes:secret@smtp.exemple.fr:465', from: 'Confiance <alertes@exemple.fr>' },
      alertSchedule: '30 6 * * 1-5',
      rppsPlusTemplate: template,
      psc: {
        discoveryUrl:
          'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/.well-known/wallet-openid-configuration',
        clientId: 'confiance',
        clientSecret: 'secret-psc',
        tls: null,
      },
      rie: 'v2',
      franceconnect: {
        issuer: 'https://auth.franceconnect.gouv.fr/api/v2',
        clientId: 'confiance-fc',
        clientSecret: 'secret-fc',
      },
      mtls: { caPath: '/etc/confiance/igc-sante.pem', header: 'x-ssl-client-cert' },
      localMeansHomologated: true,
    });
  });

  it('refuses a wrong SMTP server without echoing its password, and names what is wrong in an RPPS+ template', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'confiance-config-')), 'modele.json');
    writeFileSync(bad, JSON.stringify({ separator: ';', dates: 'us', columns: [] }));
    try {
      loadConfig({ CONFIANCE_SMTP_URL: 'http://u:S3cr3tXY@x', CONFIANCE_RPPS_PLUS_TEMPLATE: bad });
      expect.unreachable();
    } catch (e) {
      const message = String(e);
      expect(message).not.toContain('S3cr3tXY');
      expect(message).toContain('CONFIANCE_SMTP_URL n’est pas valide');
      expect(message).toContain(
        'Modèle RPPS+ invalide : dates : « fr » ou « iso » ; columns : une liste non vide.',
      );
    }
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' })).toMatchObject({ port: 8080, databaseUrl: undefined });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT = « abc » n’est pas valide : attendu un entier entre 0 et 65535/],
    [{ PORT: '70000' }, /PORT/],
    [{ PORT: '-1' }, /PORT/],
    [{ CONFIANCE_BASE_URL: 'confiance.fr' }, /CONFIANCE_BASE_URL .* URL http\(s\) absolue/],
    [{ CONFIANCE_BASE_URL: 'https://x.fr/?a=1' }, /CONFIANCE_BASE_URL/],
    [{ DATABASE_URL: 'mysql://x/y' }, /DATABASE_URL n’est pas valide/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL = « verbose »/],
    [{ CONFIANCE_TRUST_PROXY: 'yes' }, /CONFIANCE_TRUST_PROXY/],
    [{ CONFIANCE_RATE_LIMIT_MAX: '0' }, /CONFIANCE_RATE_LIMIT_MAX/],
    [{ HOST: 'a b' }, /HOST/],
    [{ CONFIANCE_DIRECTORY_SCHEDULE: 'chaque nuit' }, /CONFIANCE_DIRECTORY_SCHEDULE = « chaque nuit »/],
    [{ CONFIANCE_DIRECTORY_SCHEDULE: '99 3 * * *' }, /CONFIANCE_DIRECTORY_SCHEDULE/],
    [{ CONFIANCE_DIRECTORY_SOURCES: 'ftp://x/y' }, /CONFIANCE_DIRECTORY_SOURCES = « ftp:\/\/x\/y »/],
    [{ CONFIANCE_ANNUAIRE_API_URL: 'https://x.fr/fhir' }, /CONFIANCE_ANNUAIRE_API_KEY est requise/],
    [
      { CONFIANCE_ANNUAIRE_API_URL: 'gateway', CONFIANCE_ANNUAIRE_API_KEY: 'k' },
      /CONFIANCE_ANNUAIRE_API_URL/,
    ],
    [{ CONFIANCE_ANNUAIRE_API_RATE: '0' }, /CONFIANCE_ANNUAIRE_API_RATE/],
    [
      { CONFIANCE_INSI_URL: 'https://insi.exemple.fr/lps' },
      /CONFIANCE_INSI_CERT, CONFIANCE_INSI_KEY, CONFIANCE_INSI_CA, CONFIANCE_INSI_IDAM requis/,
    ],
    [
      {
        CONFIANCE_INSI_URL: 'http://insi',
        CONFIANCE_INSI_CERT: 'a',
        CONFIANCE_INSI_KEY: 'b',
        CONFIANCE_INSI_CA: 'c',
        CONFIANCE_INSI_IDAM: 'd',
      },
      /CONFIANCE_INSI_URL/,
    ],
    [{ CONFIANCE_SESSION_SECRET: 'court' }, /CONFIANCE_SESSION_SECRET/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reports every problem at once and never echoes a database password', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'y', DATABASE_URL: 'mysql://user:s3cret@h/db' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(3);
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});
