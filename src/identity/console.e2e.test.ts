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
} from '../../test/browser.ts';
import { createTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { createApiToken } from '../auth/api-token.ts';
import { loadConfig } from '../config.ts';
import { type RunningInsiSandbox, startInsiSandbox } from '../sandbox/start.ts';
import { type RunningServer, startServer } from '../server.ts';

describe.skipIf(!chromiumAvailable())('usager pages in Chromium', () => {
  let t: TestDatabase;
  let server: RunningServer;
  let browser: Browser;
  let insi: RunningInsiSandbox;
  let token: string;

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    const dataDir = mkdtempSync(join(tmpdir(), 'confiance-e2e-usagers-'));
    insi = await startInsiSandbox({ dataDir });
    server = await startServer(
      loadConfig({ PORT: '0', LOG_LEVEL: 'warn', CONFIANCE_DATA_DIR: dataDir }),
      t.database,
      {
        insi: insi.client,
      },
    );
    token = (await createApiToken(t.database, { name: 'Accueil – Mme Démo', scopes: ['identity:write'] }))
      .token;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await insi?.close();
  });

  it('signs an agent in, admits an usager and qualifies his identity through INSi', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/usagers`);
    await page.getByRole('heading', { name: 'Ouvrir une session sur la console' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'session');
    await page.getByLabel('Jeton d’accès').fill(token);
    await page.getByRole('button', { name: 'Ouvrir la session' }).click();
    await page.getByRole('heading', { name: 'Usagers et identité nationale de santé' }).waitFor();

    await page.getByRole('link', { name: 'Admettre un usager' }).click();
    await page.getByLabel('Nom de naissance').fill('Écetinsi');
    await page.getByLabel('Prénoms de naissance').fill('Pierre-Alain Muriel Floriant');
    await page.locator('#sexe').selectOption('M');
    await page.getByLabel('Date de naissance').fill('2009-07-14');
    await page.getByLabel('Lieu de naissance (code INSEE)').fill('63220');
    await page.locator('#piece').selectOption('PA');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'usager-admission');
    await page.getByRole('button', { name: 'Enregistrer l’usager' }).click();
    await page.getByText('Validée').first().waitFor();

    await page.getByRole('button', { name: 'Interroger INSi' }).click();
    await page.getByText('INS récupéré par INSi, traits concordants').waitFor();
    expect(await page.locator('dl.facts').innerText()).toContain('1 09 07 63 220 834 89');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'usager-qualifie');

    await page.goto(`${server.url}/usagers`);
    expect(await page.locator('table').first().innerText()).toContain('100 %');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'usagers');
    await page.goto(`${server.url}/usagers/doublons`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'usagers-doublons');
  });
});
