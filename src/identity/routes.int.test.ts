import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { describeEachDriver } from '../../test/databases.ts';
import { createApiToken } from '../auth/api-token.ts';
import { type RunningInsiEmulator, startInsiEmulator } from '../sandbox/insi.ts';
import { createTestPki } from '../sandbox/pki.ts';
import { InsiClient } from './insi/client.ts';

describeEachDriver('console pages for usagers and the FHIR Patient', (driver) => {
  let s: TestApp;
  let emulator: RunningInsiEmulator;
  let client: InsiClient;
  let cookie: string;
  let readerCookie: string;

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const csrfOf = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
  const signIn = async (token: string) => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ jeton: token, retour: '/usagers' }),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/usagers');
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    return set.split(';')[0] as string;
  };
  const post = (url: string, fields: Record<string, string>, as = cookie) =>
    s.app.inject({
      method: 'POST',
      url,
      headers: { cookie: as, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form(fields),
    });
  const get = (url: string, as = cookie) => s.app.inject({ url, headers: { cookie: as } });

  beforeAll(async () => {
    const pki = await createTestPki();
    emulator = await startInsiEmulator({ pki, idams: ['CONFIANCE-TEST'] });
    const cert = await pki.issueOrganisation({ cn: 'INSI-AUTO', ou: '1920000000', o: 'EHPAD' });
    client = new InsiClient({
      url: emulator.url,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      caPem: pki.caPem,
      idam: 'CONFIANCE-TEST',
      version: 'test',
      instance: randomUUID(),
      attempts: 1,
    });
    s = await createTestApp(driver, {}, { insi: client });
    const writer = await createApiToken(s.t.database, {
      name: 'Accueil – Mme Test',
      scopes: ['identity:write'],
      idNat: '810000000009',
    });
    const reader = await createApiToken(s.t.database, { name: 'Lecture', scopes: ['identity:read'] });
    cookie = await signIn(writer.token);
    readerCookie = await signIn(reader.token);
  }, 90_000);
  afterAll(async () => {
    await s.close();
    await client.close();
    await emulator.close();
  });

  it('sends agents without a session to the sign-in page, and refuses a wrong token', async () => {
    const anonymous = await s.app.inject({ url: '/usagers' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/session?retour=%2Fusagers');
    const wrong = await s.app.inject({
      method: 'POST',
      url: '/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ jeton: 'cft_nope_nope' }),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Jeton inconnu, révoqué ou mal recopié.');
    const evil = await s.app.inject({
      method: 'POST',
      url: '/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ jeton: 'x', retour: '//evil.example/' }),
    });
    expect(evil.body).toContain('name="retour" value="/"');
  });

  it('admits an usager, reports wrong fields in French, qualifies him through INSi', async () => {
    const page = await get('/usagers/nouveau');
    expect(page.statusCode).toBe(200);
    const csrf = csrfOf(page.body);
    const invalid = await post('/usagers', {
      csrf,
      nomNaissance: 'Corse',
      prenomsNaissance: 'Anthony',
      sexe: 'X',
      dateNaissance: '1980-03-02',
      lieuNaissance: '2B02',
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain('Le sexe doit être M ou F');
    expect(invalid.body).toContain('aria-invalid="true"');
    const created = await post('/usagers', {
      csrf,
      nomNaissance: 'Corse',
      prenomsNaissance: 'Anthony',
      sexe: 'M',
      dateNaissance: '1980-03-02',
      lieuNaissance: '2B020',
      piece: 'CN',
    });
    expect(created.statusCode).toBe(303);
    const url = String(created.headers.location);
    const id = url.split('/').pop() as string;
    const detail = await get(url);
    expect(detail.body).toContain('Validée');
    const qualified = await post(`${url}/insi`, { csrf });
    expect(qualified.statusCode).toBe(200);
    expect(qualified.body).toContain('INS récupéré par INSi, traits concordants');
    expect(qualified.body).toContain('1 80 03 2B 020 401 23');
    const trail = await s.app.inject({ url: `/api/v1/audit/events?subjectId=${id}`, headers: s.auth });
    expect(trail.statusCode).toBe(200);
    for (const e of trail.json().events.filter((x: { action: string }) => x.action.startsWith('identity.')))
      expect(e.actor, JSON.stringify(e)).toMatchObject({ id: '810000000009' });

    const fhir = await s.app.inject({ url: `/fhir/Patient/${id}`, headers: s.auth });
    expect(fhir.statusCode).toBe(200);
    expect(fhir.json().identifier[1]).toMatchObject({
      system: 'urn:oid:1.2.250.1.213.1.4.8',
      value: '180032B02040123',
    });
    const noToken = await s.app.inject({ url: `/fhir/Patient/${id}` });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.json().issue[0].code).toBe('security');
  });

  it('qualifies through the Application carte Vitale, refusing a wrong key', async () => {
    const csrf = csrfOf((await get('/usagers/nouveau')).body);
    const created = await post('/usagers', {
      csrf,
      nomNaissance: 'Adrtrois',
      prenomsNaissance: 'Toussaint',
      sexe: 'M',
      dateNaissance: '1960-01-01',
      lieuNaissance: '2B020',
      finess: '330000001',
    });
    const url = String(created.headers.location);
    const wrong = await post(`${url}/acv`, { csrf, ins: '160012B02077714', type: 'NIR' });
    expect(wrong.body).toContain('Clé INS 14 incorrecte');
    const ok = await post(`${url}/acv`, { csrf, ins: '1 60 01 2B 020 777 13', type: 'NIR' });
    expect(ok.body).toContain('Identité qualifiée par l’Application carte Vitale.');
    expect(ok.body).toContain('1 60 01 2B 020 777 13');
  });

  it('refuses a form without its CSRF token, and writes to a read-only session', async () => {
    const list = await get('/usagers', readerCookie);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('Admettre un usager');
    const forged = await post('/usagers', {
      csrf: 'faux',
      nomNaissance: 'X',
      prenomsNaissance: 'Y',
      sexe: 'M',
      dateNaissance: '2000-01-01',
      lieuNaissance: '75056',
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('Formulaire expiré');
    const readOnly = await post('/usagers/nouveau', {}, readerCookie);
    expect([403, 404]).toContain(readOnly.statusCode);
  });

  it('shows differences with INSi instead of overwriting, and queues look-alikes for review', async () => {
    const csrf = csrfOf((await get('/usagers/nouveau')).body);
    const created = await post('/usagers', {
      csrf,
      nomNaissance: 'Tchitchi',
      prenomsNaissance: 'Catarina',
      sexe: 'F',
      dateNaissance: '1936-06-21',
      lieuNaissance: '63220',
    });
    const url = String(created.headers.location);
    const insi = await post(`${url}/insi`, { csrf });
    expect(insi.body).toContain('Différences avec INSi');
    expect(insi.body).toContain('CATARINA BELLA');
    await post('/usagers', {
      csrf,
      nomNaissance: 'Tchichi',
      prenomsNaissance: 'Catarina',
      sexe: 'F',
      dateNaissance: '1936-06-21',
      lieuNaissance: '63220',
    });
    const review = await get('/usagers/doublons');
    expect(review.body).toContain('TCHICHI');
    const reviewId = /action="\/usagers\/doublons\/(\d+)"/.exec(review.body)?.[1];
    const decided = await post(`/usagers/doublons/${reviewId}`, { csrf, decision: 'distinctes' });
    expect(decided.statusCode).toBe(303);
    expect((await get('/usagers/doublons')).body).toContain('Aucune paire en attente.');
  });
});
