import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  type Browser,
  chromiumAvailable,
  launchBrowser,
  screenshot,
} from '../../../test/browser.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { fixtureEgs, rppsIdNat, seedOrganisationDirectory } from '../../../test/organisation-fixture.ts';
import { freePort } from '../../../test/ports.ts';
import { loadConfig } from '../../config.ts';
import { type RunningFranceConnect, startFranceConnectEmulator } from '../../sandbox/franceconnect.ts';
import { type RunningPscEmulator, startPscEmulator } from '../../sandbox/psc.ts';
import { ensureSampleClient, type RunningSampleDui, startSampleDui } from '../../sandbox/sample-dui.ts';
import { type RunningServer, startServer } from '../../server.ts';

describe.skipIf(!chromiumAvailable())('login through the hub in Chromium', () => {
  let t: TestDatabase;
  let psc: RunningPscEmulator;
  let fc: RunningFranceConnect;
  let server: RunningServer;
  let dui: RunningSampleDui;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await seedOrganisationDirectory(t.database);
    await sql`insert into dir_activity (key, id_nat, nom_exercice, prenom_exercice, finess_site, finess_ej, raison_sociale,
        profession_code, row_hash, created_import, changed_import, changed_at)
      values ('dupont-ime', ${rppsIdNat('1000000001')}, 'DUPONT', 'Anne', ${fixtureEgs[1]}, '690000011', 'IME LES SOURCES',
        '60', 'x', 1, 1, now())`.execute(t.database.db);
    const [port, duiPort] = [await freePort(), await freePort()];
    const base = `http://localhost:${port}`;
    psc = await startPscEmulator({
      database: t.database,
      clients: [
        {
          clientId: 'confiance',
          clientSecret: 's',
          redirectUris: [`${base}/connexion/psc/retour`],
          postLogoutRedirectUris: [`${base}/connexion/psc/deconnexion`],
        },
      ],
    });
    fc = await startFranceConnectEmulator({
      clients: [
        {
          clientId: 'confiance-fc',
          clientSecret: 'f',
          redirectUris: [`${base}/connexion/franceconnect/retour`],
          postLogoutRedirectUris: [`${base}/`],
          jwksUri: `${base}/connexion/jwks`,
        },
      ],
    });
    server = await startServer(
      loadConfig({
        PORT: String(port),
        CONFIANCE_BASE_URL: base,
        LOG_LEVEL: 'warn',
        CONFIANCE_DATA_DIR: mkdtempSync(join(tmpdir(), 'confiance-e2e-login-')),
      }),
      t.database,
      {
        psc: { discoveryUrl: psc.discoveryUrl, clientId: 'confiance', clientSecret: 's' },
        franceconnect: { issuer: fc.issuer, clientId: 'confiance-fc', clientSecret: 'f' },
      },
    );
    const client = await ensureSampleClient(t.database, `http://127.0.0.1:${duiPort}`);
    dui = await startSampleDui({ hubIssuer: `${base}/oidc`, ...client, port: duiPort });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await dui?.close();
    await server?.close();
    await psc?.close();
    await fc?.close();
  });

  it('sample DUI → hub → PSC with e-CPS → choice of situation → the DUI shows RPPS and FINESS', async () => {
    const page = await browser.context.newPage();
    await page.goto(dui.url);
    await page.getByRole('link', { name: 'Se connecter', exact: true }).click();
    await page.getByRole('heading', { name: 'Se connecter à DUI d’exemple (bac à sable)' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'connexion-choix');
    await page.getByRole('button', { name: 'Continuer avec Pro Santé Connect (e-CPS ou carte CPS)' }).click();
    await page.getByRole('heading', { name: 'Pro Santé Connect — bac à sable' }).waitFor();
    await page.getByLabel('Autre idNat_PS :').fill(rppsIdNat('1000000001'));
    await page.getByLabel('e-CPS (application mobile)').check();
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Pour quelle structure vous connectez-vous ?' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'connexion-situation');
    await page.getByLabel(/IME LES SOURCES/).check();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByText('Connecté : Anne DUPONT').waitFor();
    const table = await page.locator('table').innerText();
    expect(table).toContain(rppsIdNat('1000000001').slice(1));
    expect(table).toContain(fixtureEgs[1]);
    expect(table).toContain('e-CPS par Pro Santé Connect');
    expect(table).toContain('eidas1');
    await screenshot(page, 'connexion-dui');
    const visited: string[] = [];
    page.on('request', (r) => visited.push(r.url()));
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('link', { name: 'Se connecter', exact: true }).waitFor();
    // An explicit logout goes through Pro Santé Connect's own logout before coming back to the DUI.
    expect(visited.some((u) => u.startsWith(`${psc.issuer}/protocol/openid-connect/logout`))).toBe(true);
    expect(visited.some((u) => u.includes('/connexion/psc/deconnexion'))).toBe(true);
  });

  it('an usager logs in through FranceConnect+ and the DUI shows the identité pivot', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(dui.url);
    await page.getByRole('link', { name: 'Se connecter en tant qu’usager' }).click();
    await page.getByRole('heading', { name: 'Se connecter à DUI d’exemple (bac à sable)' }).waitFor();
    expect(await page.getByText('Pro Santé Connect').count()).toBe(0);
    await page.getByRole('button', { name: 'Continuer avec FranceConnect+' }).click();
    await page.getByRole('heading', { name: 'FranceConnect+ — bac à sable' }).waitFor();
    await page
      .getByLabel(/ECETINSI/)
      .first()
      .check();
    await page.getByLabel('France Identité (élevé)').check();
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('Usager connecté').waitFor();
    const table = await page.locator('table').innerText();
    expect(table).toContain('ECETINSI');
    expect(table).toContain('FranceConnect+');
    expect(table).toContain('eidas3');
    await screenshot(page, 'connexion-usager-dui');
  });
});
