import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { consoleAgent } from '../../test/console.ts';
import { describeEachDriver } from '../../test/databases.ts';
import { fixtureEgs, fixtureEj, seedOrganisationDirectory } from '../../test/organisation-fixture.ts';
import { createApiToken } from '../auth/api-token.ts';
import { createTestPki, type TestPki } from '../sandbox/pki.ts';

const boundary = '----confiance-test';
function multipart(fields: Record<string, string>, file: { field: string; name: string; data: Buffer }) {
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  return Buffer.concat([
    Buffer.from(parts.join('')),
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="${file.field}"; filename="${file.name}"\r\ncontent-type: application/octet-stream\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

describeEachDriver('prerequisites console and API', (driver) => {
  let s: TestApp;
  let pki: TestPki;
  let writer: string;
  let reader: string;
  let readerToken: string;

  let agent: ReturnType<typeof consoleAgent>;
  const csrfOf = (body: string) => agent.csrfOf(body);
  const get = (url: string, as = writer) => agent.get(url, as);
  const post = (url: string, fields: Record<string, string>, as = writer) => agent.post(url, fields, as);
  const upload = (
    url: string,
    fields: Record<string, string>,
    file: { field: string; name: string; data: Buffer },
  ) =>
    s.app.inject({
      method: 'POST',
      url,
      headers: { cookie: writer, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart(fields, file),
    });
  const csrf = async (url = '/prerequis') => csrfOf((await get(url)).body);

  beforeAll(async () => {
    s = await createTestApp(driver);
    agent = consoleAgent(s.app);
    const signIn = (token: string) => agent.signIn(token, '/prerequis');
    await seedOrganisationDirectory(s.t.database);
    pki = await createTestPki();
    writer = await signIn(
      (
        await createApiToken(s.t.database, {
          name: 'Direction',
          scopes: ['readiness:write'],
          idNat: '810000000009',
        })
      ).token,
    );
    readerToken = (await createApiToken(s.t.database, { name: 'Lecture', scopes: ['readiness:read'] })).token;
    reader = await signIn(readerToken);
  }, 60_000);
  afterAll(async () => s?.close());

  it('asks for a session, then follows an organisme from its FINESS', async () => {
    const anonymous = await s.app.inject({ url: '/prerequis' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/session?retour=%2Fprerequis');
    const unknown = await post('/prerequis', { csrf: await csrf(), finess: '999999999' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('FINESS 999999999 inconnu de l’annuaire');
    const created = await post('/prerequis', {
      csrf: await csrf(),
      finess: fixtureEj,
      raisonSociale: 'Association Les Tilleuls',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe(`/prerequis/${fixtureEj}`);
    const page = await get(`/prerequis/${fixtureEj}`);
    expect(page.body).toContain('Prérequis Ségur — Association Les Tilleuls');
    expect(page.body).toContain('EHPAD LES TILLEULS');
    expect(page.body).toContain('Bloqué');
  });

  it('refuses forms without the CSRF token and writes from a read-only session', async () => {
    const forged = await post(`/prerequis/${fixtureEj}/contrats`, {
      csrf: 'faux',
      level: 'EJ',
      representantLegal: 'X',
      signedOn: '2025-01-01',
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('Formulaire expiré');
    const readOnly = await post(
      `/prerequis/${fixtureEj}/contrats`,
      { csrf: 'x', level: 'EJ', representantLegal: 'X', signedOn: '2025-01-01' },
      reader,
    );
    expect(readOnly.statusCode).toBe(403);
    const readerPage = await get(`/prerequis/${fixtureEj}/contrats`, reader);
    expect(readerPage.statusCode).toBe(200);
    expect(readerPage.body).not.toContain('name="csrf"');
  });

  it('records the contract, then shows a French error for inconsistent dates', async () => {
    const token = await csrf(`/prerequis/${fixtureEj}/contrats`);
    const ok = await post(`/prerequis/${fixtureEj}/contrats`, {
      csrf: token,
      level: 'EJ',
      representantLegal: 'Mme Directrice',
      signedOn: '2025-03-10',
      cdeReceivedOn: '',
    });
    expect(ok.statusCode).toBe(303);
    expect((await get(String(ok.headers.location))).body).toContain('Contrat d’adhésion enregistré.');
    const bad = await post(`/prerequis/${fixtureEj}/contrats`, {
      csrf: token,
      level: 'EJ',
      representantLegal: 'Mme Directrice',
      signedOn: '2025-03-10',
      cdeReceivedOn: '2025-03-01',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('carte CDE reçue avant la signature du contrat');
  });

  it('imports the staff file with errors per line, then the corrected file; offers the RPPS+ file', async () => {
    const token = await csrf(`/prerequis/${fixtureEj}/personnel`);
    const header = 'matricule;nom;prénom;fonction;finess;date entrée';
    const wrong = await upload(
      `/prerequis/${fixtureEj}/personnel/import`,
      { csrf: token },
      {
        field: 'fichier',
        name: 'personnel.csv',
        data: Buffer.from(`${header}\nA1;PETIT;Luc;AES;${fixtureEgs[0]};32/01/2024\n`, 'latin1'),
      },
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('rien n’a été enregistré');
    expect(wrong.body).toContain('date d’entrée « 32/01/2024 » invalide');
    const right = await upload(
      `/prerequis/${fixtureEj}/personnel/import`,
      { csrf: token },
      {
        field: 'fichier',
        name: 'personnel.csv',
        data: Buffer.from(
          `${header}\nA1;PETIT;Luc;Accompagnant éducatif et social;${fixtureEgs[0]};01/01/2024\nA2;DUPONT;Anne;Infirmière;${fixtureEgs[0]};01/01/2020\n`,
          'latin1',
        ),
      },
    );
    expect(right.statusCode).toBe(303);
    const page = await get(String(right.headers.location));
    expect(page.body).toContain(
      '2 salarié(s) ajouté(s), 0 mis à jour, 1 numéro(s) trouvé(s) dans l’annuaire',
    );
    const file = await get(`/prerequis/${fixtureEj}/personnel/rpps-plus.csv`);
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.body).toContain('PETIT;Luc');
    expect(file.body).not.toContain('DUPONT');
  });

  it('takes a certificate upload, refuses private keys, and shows the timeline', async () => {
    const token = await csrf(`/prerequis/${fixtureEj}/certificats`);
    const issued = await pki.issueOrganisation({ cn: 'INSI-AUTO', ou: `1${fixtureEj}`, o: 'ASSOCIATION' });
    const withKey = await upload(
      `/prerequis/${fixtureEj}/certificats`,
      { csrf: token, usage: '' },
      {
        field: 'certificat',
        name: 'insi.pem',
        data: Buffer.from(`${issued.certPem}${issued.keyPem}`),
      },
    );
    expect(withKey.statusCode).toBe(400);
    expect(withKey.body).toContain('Le fichier contient une clé privée');
    const forged = await upload(
      `/prerequis/${fixtureEj}/certificats`,
      { csrf: 'faux' },
      {
        field: 'certificat',
        name: 'insi.pem',
        data: Buffer.from(issued.certPem),
      },
    );
    expect(forged.statusCode).toBe(403);
    const ok = await upload(
      `/prerequis/${fixtureEj}/certificats`,
      { csrf: token, usage: '' },
      {
        field: 'certificat',
        name: 'insi.pem',
        data: Buffer.from(issued.certPem),
      },
    );
    expect(ok.statusCode).toBe(303);
    const page = await get(String(ok.headers.location));
    expect(page.body).toContain('Certificat INSI-AUTO enregistré (ORG AUTH_CLI');
    expect(page.body).toContain('À installer');
  });

  it('serves the readiness as JSON to API tokens holding readiness:read', async () => {
    const denied = await s.app.inject({ url: `/api/v1/readiness/${fixtureEj}`, headers: s.auth });
    expect(denied.statusCode).toBe(403);
    const res = await s.app.inject({
      url: `/api/v1/readiness/${fixtureEj}`,
      headers: { authorization: `Bearer ${readerToken}` },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.establishments.map((e: { finess: string }) => e.finess)).toEqual([...fixtureEgs]);
    expect(body.establishments[0].services[0]).toMatchObject({
      service: 'qualifier-ins',
      status: 'en-cours',
    });
    expect(body.certificates[0]).toMatchObject({ usage: 'insi', kind: 'ORG AUTH_CLI', cn: 'INSI-AUTO' });
    const printable = await get(`/prerequis/${fixtureEj}/impression`, reader);
    expect(printable.body).toContain(
      'Contrat d’adhésion (EJ 690000011) signé le 10/03/2025 par Mme Directrice',
    );
  });
});
