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
import { fixtureEgs, fixtureEj, seedOrganisationDirectory } from '../../test/organisation-fixture.ts';
import { createApiToken } from '../auth/api-token.ts';
import { loadConfig } from '../config.ts';
import { createTestPki } from '../sandbox/pki.ts';
import { type RunningServer, startServer } from '../server.ts';

describe.skipIf(!chromiumAvailable())('prerequisites dashboard in Chromium', () => {
  let t: TestDatabase;
  let server: RunningServer;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await seedOrganisationDirectory(t.database);
    const dataDir = mkdtempSync(join(tmpdir(), 'confiance-e2e-prerequis-'));
    server = await startServer(
      loadConfig({ PORT: '0', LOG_LEVEL: 'warn', CONFIANCE_DATA_DIR: dataDir }),
      t.database,
    );
    token = (await createApiToken(t.database, { name: 'Direction – démo', scopes: ['readiness:write'] }))
      .token;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('follows an organisme, imports the staff file, uploads a certificate and walks the dashboard', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/prerequis`);
    await page.getByLabel('Jeton d’accès').fill(token);
    await page.getByRole('button', { name: 'Ouvrir la session' }).click();
    await page.getByRole('heading', { name: 'Prérequis Ségur des établissements' }).waitFor();
    await page.getByLabel('FINESS juridique (ou d’un de ses établissements)').fill(fixtureEj);
    await page.getByLabel('Raison sociale de l’organisme').fill('Association Les Tilleuls');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'prerequis-organismes');
    await page.getByRole('button', { name: 'Suivre cet organisme' }).click();
    await page.getByRole('heading', { name: 'Prérequis Ségur — Association Les Tilleuls' }).waitFor();
    expect(await page.locator('table.readiness').innerText()).toContain('Bloqué');

    await page.getByRole('link', { name: 'Organisme et DUI' }).click();
    await page
      .getByLabel('L’éditeur propose de qualifier l’INS avec un certificat (sinon : cartes CPE)')
      .check();
    await page.getByLabel('Éditeur et logiciel').fill('DUI Exemple');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('Paramètres de l’organisme enregistrés.').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'prerequis-parametres');

    await page.getByRole('link', { name: 'Contrat et profils' }).click();
    await page.getByLabel('Représentant légal').fill('Mme Directrice');
    await page.getByLabel('Signé le').fill('2025-03-10');
    await page.getByLabel('Carte CDE reçue le').fill('2025-03-28');
    await page.getByRole('button', { name: 'Enregistrer le contrat' }).click();
    await page.getByText('Contrat d’adhésion enregistré.').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'prerequis-contrats');

    await page.getByRole('link', { name: 'Personnel' }).click();
    const header = 'Matricule;Nom;Prénom;Fonction;FINESS;Date d’entrée;Courriel;Mobile';
    await page.getByLabel('Fichier').setInputFiles({
      name: 'personnel.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${header}\nA1;PETIT;Luc;AES;${fixtureEgs[0]};2024-13-01;;\n`),
    });
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.getByText('date d’entrée « 2024-13-01 » invalide').waitFor();
    await page.getByLabel('Fichier').setInputFiles({
      name: 'personnel.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `${header}\nA1;PETIT;Luc;AES;${fixtureEgs[0]};01/01/2024;l.petit@exemple.fr;0611223344\nA2;DUPONT;Anne;Infirmière;${fixtureEgs[0]};01/01/2020;;\nA3;ROUX;Léa;Psychologue;${fixtureEgs[1]};01/01/2021;;\n`,
      ),
    });
    await page.getByRole('button', { name: 'Importer' }).click();
    await page
      .getByText('3 salarié(s) ajouté(s), 0 mis à jour, 1 numéro(s) trouvé(s) dans l’annuaire')
      .waitFor();
    expect(await page.locator('table').last().innerText()).toContain('anne.dupont@ehpad-tilleuls.mssante.fr');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'prerequis-personnel');

    const pki = await createTestPki();
    const cert = await pki.issueOrganisation({
      cn: 'INSI-AUTO',
      ou: `1${fixtureEj}`,
      o: 'ASSOCIATION LES TILLEULS',
    });
    await page.getByRole('link', { name: 'Certificats' }).click();
    await page.getByLabel('Certificat (PEM, DER, ou PKCS#12 sans clé privée)').setInputFiles({
      name: 'insi.pem',
      mimeType: 'application/x-pem-file',
      buffer: Buffer.from(cert.certPem),
    });
    await page.getByRole('button', { name: 'Déposer' }).click();
    await page.getByText('Certificat INSI-AUTO enregistré').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'prerequis-certificats');

    await page.getByRole('link', { name: 'Tableau de bord' }).click();
    const actions = await page.locator('ol.actions').innerText();
    expect(actions).toContain('Transmettre le certificat INSi');
    expect(actions).toContain('Enregistrer 1 salarié(s) dans RPPS+');
    expect(actions).toContain('Faire corriger la fiche FINESS 690000016');
    expect(await page.locator('table.readiness').innerText()).toContain('En cours');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'prerequis-tableau-de-bord');

    await page.getByRole('link', { name: 'Version imprimable' }).click();
    await page
      .getByText('Contrat d’adhésion (EJ 690000011) signé le 10/03/2025 par Mme Directrice')
      .waitFor();
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.sub-nav').count()).toBe(0);
    await screenshot(page, 'prerequis-impression');
  });
});
