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
import { loadConfig } from '../config.ts';
import { readMigrations } from '../db/migrate.ts';
import { generateDirectory } from '../directory/generate/generate.ts';
import { importDirectory } from '../directory/import/import.ts';
import { type RunningServer, startServer } from '../server.ts';

describe.skipIf(!chromiumAvailable())('console in Chromium', () => {
  let t: TestDatabase;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    server = await startServer(loadConfig({ PORT: '0', LOG_LEVEL: 'warn' }), t.database);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the home page with the instance status, accessibly', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/`);
    await expect(page.title()).resolves.toBe('Accueil — Confiance');
    await page.getByText('Intègre').waitFor();
    expect(await page.locator('header').count()).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Navigation principale' }).count()).toBe(1);
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('contentinfo').count()).toBe(1);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('État de l’instance');
    const status = await page.locator('dl.status').innerText();
    expect(status).toContain('PGlite embarquée');
    expect(status).toContain(`${readMigrations().length} migrations appliquées`);

    // The first Tab reaches the skip link, which moves focus to the main content.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Aller au contenu');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('contenu');

    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'home');
  });

  it('loads no resource from outside the instance', async () => {
    const page = await browser.context.newPage();
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    await page.goto(`${server.url}/`);
    await page.waitForLoadState('networkidle');
    expect([...origins]).toEqual([new URL(server.url).origin]);
  });

  it('shows a French 404 page', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(`${server.url}/annuaire/inexistant`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Page introuvable');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'not-found');
  });

  it('shows the directory page with data, and searches it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'confiance-e2e-'));
    const [day] = await generateDirectory({ profile: 'small', seed: 1, days: 1, out });
    await importDirectory(t.database, [day?.dir ?? '']);
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/annuaire`);
    await page.getByRole('heading', { name: 'Professionnels par profession' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'annuaire');
    await page.getByLabel('Nom d’exercice (début) ou numéro RPPS').fill('mart');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/\d+ résultats?/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'annuaire-recherche');

    await page.getByLabel('Nom d’exercice (début) ou numéro RPPS').fill('');
    await page.locator('#profession').selectOption('60');
    await page.locator('#departement').selectOption('75');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('status').waitFor();
    await page.locator('tbody a').first().click();
    await page.getByRole('heading', { name: /Situations d’exercice/ }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/\S/);
    // Each structure the FHIR API serves, a FINESS structure or a cabinet, is linked to its Organization.
    const organization = page.locator('a[href^="/fhir/Organization/"]').first();
    const href = (await organization.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/fhir\/Organization\/\w+$/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'annuaire-professionnel');
    const served = await page.request.get(`${server.url}${href}`);
    expect(served.status()).toBe(200);
    expect((await served.json()).resourceType).toBe('Organization');
  });

  it('shows the API reference', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/api/v1/reference`);
    await page.getByRole('heading', { name: /GET \/api\/v1\/audit\/events/ }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'api-reference');
  });
});
