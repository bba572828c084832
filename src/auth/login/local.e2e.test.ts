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
import { rppsIdNat, seedOrganisationDirectory } from '../../../test/organisation-fixture.ts';
import { freePort } from '../../../test/ports.ts';
import { loadConfig } from '../../config.ts';
import { type RunningSampleDui, startSampleDui } from '../../sandbox/sample-dui.ts';
import { type RunningServer, startServer } from '../../server.ts';
import { resolveSessionSecret } from '../../web/session.ts';
import { enrolLocalAccount, totpCode } from '../local/accounts.ts';
import { addClient } from '../oidc/clients.ts';
import type { ServiceProfile } from '../policy/sensitive.ts';

/** A DUI reachable from outside and feeding the DMP: sensitive. */
const exposed: ServiceProfile = {
  processesHealthData: true,
  shared: false,
  integratesShared: true,
  externalAccess: true,
  newUsagersPerYear: 300,
  professionalsPerYear: 80,
};
/** An on-premise DUI integrating no shared service: not sensitive. */
const onPremise: ServiceProfile = { ...exposed, integratesShared: false, externalAccess: false };

describe.skipIf(!chromiumAvailable())('password + TOTP under the RIE dates, in Chromium', () => {
  let t: TestDatabase;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let totp: string;
  let clock = new Date('2026-02-01T09:00:00Z');
  const duis: RunningSampleDui[] = [];
  const idNat = rppsIdNat('1000000001');

  const registerDui = async (name: string, profile: ServiceProfile) => {
    const port = await freePort();
    const { clientId, clientSecret } = await addClient(
      t.database,
      {
        name,
        redirectUris: [`http://127.0.0.1:${port}/callback`],
        postLogoutRedirectUris: [`http://127.0.0.1:${port}/`],
        backchannelLogoutUri: null,
        auth: { method: 'client_secret_basic' },
        profile,
      },
      'test',
    );
    const dui = await startSampleDui({
      hubIssuer: `${base}/oidc`,
      clientId,
      clientSecret: clientSecret as string,
      port,
    });
    duis.push(dui);
    return dui;
  };

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await seedOrganisationDirectory(t.database);
    const port = await freePort();
    base = `http://localhost:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'confiance-e2e-local-'));
    const config = loadConfig({
      PORT: String(port),
      CONFIANCE_BASE_URL: base,
      LOG_LEVEL: 'warn',
      CONFIANCE_DATA_DIR: dataDir,
    });
    server = await startServer(config, t.database, { now: () => clock, psc: null });
    totp = (
      await enrolLocalAccount(
        t.database,
        resolveSessionSecret(null, dataDir),
        { idNat, nom: 'DUPONT', prenom: 'Anne', password: 'Tilleul7!-Anne' },
        'test',
      )
    ).totpSecret;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const d of duis) await d.close();
    await server?.close();
  });

  it('refuses password + TOTP after 01/01/2026 for a DUI reachable from outside', async () => {
    clock = new Date('2026-02-01T09:00:00Z');
    const dui = await registerDui('DUI exposé', exposed);
    const page = await browser.context.newPage();
    await page.goto(dui.url);
    await page.getByRole('link', { name: 'Se connecter', exact: true }).click();
    await page.getByRole('heading', { name: 'Se connecter à DUI exposé' }).waitFor();
    const section = page.locator('section.means', { hasText: 'mot de passe et code à usage unique' });
    expect(await section.innerText()).toContain('Non admis ici');
    expect(await section.innerText()).toContain('depuis le 01/01/2026');
    expect(await page.getByLabel('Mot de passe', { exact: true }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'connexion-mot-de-passe-refuse');
  });

  it('allows it before that date for an on-premise DUI, and the DUI receives the identity', async () => {
    clock = new Date('2025-12-15T09:00:00Z');
    const dui = await registerDui('DUI sur site', onPremise);
    const page = await browser.context.newPage();
    await page.goto(dui.url);
    await page.getByRole('link', { name: 'Se connecter', exact: true }).click();
    await page.getByRole('heading', { name: 'Se connecter à DUI sur site' }).waitFor();
    await page.locator('#idnat').fill(idNat);
    await page.getByLabel('Mot de passe', { exact: true }).fill('Tilleul7!-Anne');
    await page.getByLabel('Code à usage unique (application d’authentification)').fill(totpCode(totp, clock));
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'connexion-mot-de-passe');
    await page.getByRole('button', { name: 'Se connecter par mot de passe et code' }).click();
    await page.getByText('Connecté : Anne DUPONT').waitFor();
    const table = await page.locator('table').innerText();
    expect(table).toContain(idNat);
    expect(table).toContain('mot de passe et code à usage unique (TOTP)');
  });

  it('says why a wrong code is refused, without telling which factor was wrong', async () => {
    await browser.context.clearCookies();
    clock = new Date('2025-12-15T10:00:00Z');
    const dui = duis[1] as RunningSampleDui;
    const page = await browser.context.newPage();
    await page.goto(dui.url);
    await page.getByRole('link', { name: 'Se connecter', exact: true }).click();
    await page.locator('#idnat').fill(idNat);
    await page.getByLabel('Mot de passe', { exact: true }).fill('Tilleul7!-Anne');
    await page.getByLabel('Code à usage unique (application d’authentification)').fill('000000');
    await page.getByRole('button', { name: 'Se connecter par mot de passe et code' }).click();
    await page.getByText('Identifiant, mot de passe ou code incorrect.').waitFor();
  });
});
