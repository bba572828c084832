import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { consoleAgent } from '../../../test/console.ts';
import { describeEachDriver } from '../../../test/databases.ts';
import { countAudit } from '../../../test/organisation-fixture.ts';
import { createApiToken } from '../api-token.ts';

describeEachDriver('console page of the DUI clients', (driver) => {
  let s: TestApp;
  let writer: string;
  let reader: string;
  let agent: ReturnType<typeof consoleAgent>;
  const post = (url: string, fields: Record<string, string>, cookie = writer) =>
    agent.post(url, fields, cookie);

  beforeAll(async () => {
    s = await createTestApp(driver);
    agent = consoleAgent(s.app);
    writer = await agent.signIn(
      (await createApiToken(s.t.database, { name: 'DSI', scopes: ['clients:write'] })).token,
    );
    reader = await agent.signIn(
      (await createApiToken(s.t.database, { name: 'Lecture', scopes: ['clients:read'] })).token,
    );
  }, 60_000);
  afterAll(async () => s?.close());

  it('registers a DUI with its service profile, shows the secret once, lists and removes it', async () => {
    const page = await s.app.inject({ url: '/connexion', headers: { cookie: writer } });
    expect(page.statusCode).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const fields = {
      csrf,
      nom: 'DUI Exemple',
      retours: 'https://dui.exemple.fr/cb\nhttp://localhost:3000/cb',
      usagers: '20000',
      professionnels: '10',
      donneesSante: 'on',
    };
    const refused = await post('/connexion/clients', { ...fields, retours: 'http://dui.exemple.fr/cb' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('doit être en https');
    const created = await post('/connexion/clients', fields);
    expect(created.statusCode).toBe(200);
    expect(created.body).toMatch(/Secret, affiché une seule fois : <code>[A-Za-z0-9_-]{43}<\/code>/);
    expect(created.body).toContain('Plus de 10 000 nouveaux usagers par an (20000).');
    const id = /DUI enregistré : <code>(dui_[A-Za-z0-9_-]+)<\/code>/.exec(created.body)?.[1] as string;
    const list = await s.app.inject({ url: '/connexion', headers: { cookie: reader } });
    expect(list.body).toContain(id);
    expect(list.body).not.toContain('name="csrf"');
    expect((await post(`/connexion/clients/${id}/suppression`, { csrf: 'x' }, reader)).statusCode).toBe(403);
    expect((await post(`/connexion/clients/${id}/suppression`, { csrf: 'faux' })).statusCode).toBe(403);
    const removed = await post(`/connexion/clients/${id}/suppression`, { csrf });
    expect(removed.statusCode).toBe(303);
    expect((await s.app.inject({ url: '/connexion', headers: { cookie: reader } })).body).not.toContain(id);
    expect(await countAudit(s.t.database, 'oidc.client.add')).toBe(1);
    expect(await countAudit(s.t.database, 'oidc.client.remove')).toBe(1);
  });

  it('enrols a local account in the console, hands its secrets over once, then key link, unlock and removal', async () => {
    const page = await s.app.inject({ url: '/connexion/comptes-locaux', headers: { cookie: writer } });
    expect(page.statusCode).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const bad = await post('/connexion/comptes-locaux', { csrf, idnat: '123', nom: 'X', prenom: 'Y' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('idNat_PS « 123 » invalide');
    const created = await post('/connexion/comptes-locaux', {
      csrf,
      idnat: '810000000017',
      nom: 'DUPONT',
      prenom: 'Anne',
    });
    expect(created.statusCode).toBe(200);
    expect(created.body).toContain('À remettre à 810000000017, une seule fois');
    expect(created.body).toMatch(/otpauth:\/\/totp\/Confiance:810000000017/);
    const link = await post('/connexion/comptes-locaux/810000000017/lien-cle', { csrf });
    expect(link.body).toMatch(/\/connexion\/cle\/[A-Za-z0-9_-]{32}/);
    expect((await post('/connexion/comptes-locaux/810000000017/deverrouiller', { csrf })).statusCode).toBe(
      303,
    );
    expect(
      (await post('/connexion/comptes-locaux/810000000017/suppression', { csrf: 'faux' })).statusCode,
    ).toBe(403);
    expect(
      (await post('/connexion/comptes-locaux/810000000017/suppression', { csrf }, reader)).statusCode,
    ).toBe(403);
    expect((await post('/connexion/comptes-locaux/810000000017/suppression', { csrf })).statusCode).toBe(303);
    expect(
      (await s.app.inject({ url: '/connexion/comptes-locaux', headers: { cookie: reader } })).body,
    ).toContain('Aucun compte local.');
    expect(await countAudit(s.t.database, 'auth.local.enrol')).toBe(1);
    expect(await countAudit(s.t.database, 'auth.local.key.link')).toBe(1);
  });
});
