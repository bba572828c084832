import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  type Browser,
  chromiumAvailable,
  launchBrowser,
  screenshot,
} from '../../../test/browser.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { countAudit, rppsIdNat } from '../../../test/organisation-fixture.ts';
import { freePort } from '../../../test/ports.ts';
import { loadConfig } from '../../config.ts';
import { type RunningSampleDui, startSampleDui } from '../../sandbox/sample-dui.ts';
import { type RunningServer, startServer } from '../../server.ts';
import { resolveSessionSecret } from '../../web/session.ts';
import { enrolLocalAccount } from '../local/accounts.ts';
import { createEnrolmentLink } from '../local/security-keys.ts';
import { addClient } from '../oidc/clients.ts';

describe.skipIf(!chromiumAvailable())('FIDO2 security key in Chromium (virtual authenticator)', () => {
  let t: TestDatabase;
  let server: RunningServer;
  let dui: RunningSampleDui;
  let browser: Browser;
  let base: string;
  const idNat = rppsIdNat('1000000001');

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    const port = await freePort();
    base = `http://localhost:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'confiance-e2e-key-'));
    server = await startServer(
      loadConfig({
        PORT: String(port),
        CONFIANCE_BASE_URL: base,
        LOG_LEVEL: 'warn',
        CONFIANCE_DATA_DIR: dataDir,
      }),
      t.database,
      { psc: null, franceconnect: null },
    );
    await enrolLocalAccount(
      t.database,
      resolveSessionSecret(null, dataDir),
      { idNat, nom: 'DUPONT', prenom: 'Anne' },
      'test',
    );
    const duiPort = await freePort();
    const { clientId, clientSecret } = await addClient(
      t.database,
      {
        name: 'DUI sur site',
        redirectUris: [`http://127.0.0.1:${duiPort}/callback`],
        postLogoutRedirectUris: [],
        backchannelLogoutUri: null,
        auth: { method: 'client_secret_basic' },
        profile: {
          processesHealthData: true,
          shared: false,
          integratesShared: false,
          externalAccess: false,
          newUsagersPerYear: 100,
          professionalsPerYear: 30,
        },
      },
      'test',
    );
    dui = await startSampleDui({
      hubIssuer: `${base}/oidc`,
      clientId,
      clientSecret: clientSecret as string,
      port: duiPort,
    });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await dui?.close();
    await server?.close();
  });

  it('enrols a key through the one-time link, then logs into an on-premise DUI with it', async () => {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'usb',
        hasResidentKey: false,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    const token = await createEnrolmentLink(t.database, idNat);
    await page.goto(`${base}/connexion/cle/${token}`);
    await page.getByRole('heading', { name: 'Enregistrer une clé de sécurité' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Enregistrer ma clé' }).click();
    await page.getByText('Clé enregistrée').waitFor();
    await screenshot(page, 'connexion-cle-enrolement');
    await page.goto(`${base}/connexion/cle/${token}`);
    await page.getByRole('heading', { name: 'Lien expiré' }).waitFor();

    await page.goto(dui.url);
    await page.getByRole('link', { name: 'Se connecter', exact: true }).click();
    await page.getByRole('heading', { name: 'Se connecter à DUI sur site' }).waitFor();
    await page.getByLabel('Identifiant national (idNat_PS)').first().fill(idNat);
    await screenshot(page, 'connexion-cle');
    await page.getByRole('button', { name: 'Se connecter avec ma clé de sécurité' }).click();
    await page.getByText('Connecté : Anne DUPONT').waitFor();
    expect(await page.locator('table').innerText()).toContain('clé de sécurité FIDO2');
    expect(await countAudit(t.database, 'auth.local.key.enrol')).toBe(1);
  });
});
