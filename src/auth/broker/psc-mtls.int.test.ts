import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { HttpSession } from '../../../test/http-session.ts';
import { rppsIdNat, seedOrganisationDirectory } from '../../../test/organisation-fixture.ts';
import { createTestPki, type Issued, type TestPki } from '../../sandbox/pki.ts';
import { type RunningPscEmulator, startPscEmulator } from '../../sandbox/psc.ts';
import { PscBroker } from './psc.ts';

const redirect = 'http://127.0.0.1:9/retour';
let t: TestDatabase;
let pki: TestPki;
let psc: RunningPscEmulator;
let structure: Issued;

beforeAll(async () => {
  t = await createTestDatabase('pglite');
  await seedOrganisationDirectory(t.database);
  pki = await createTestPki();
  structure = await pki.issueOrganisation({
    cn: 'CONFIANCE',
    ou: '1690000011',
    o: 'ASSOCIATION LES TILLEULS',
  });
  psc = await startPscEmulator({
    database: t.database,
    clients: [
      { clientId: 'mtls', clientSecret: 'inutile', redirectUris: [redirect], tlsSubject: '1690000011' },
    ],
    tls: { caPem: pki.caPem, server: await pki.issueServer(['localhost']) },
  });
}, 60_000);
afterAll(async () => {
  await psc?.close();
  await t?.drop();
});

const login = async (broker: PscBroker) => {
  const { url, pending } = await broker.start();
  const browser = new HttpSession();
  const page = await browser.follow(url);
  await page.res.text();
  const back = await browser.postForm(page.url, { autre: rppsIdNat('1000000001'), moyen: 'MOBILE' }, (l) =>
    l.startsWith(redirect),
  );
  return broker.finish(new URL(back.url), pending);
};

it('authenticates the hub to PSC by mutual TLS with the structure’s certificate', async () => {
  expect(psc.issuer.startsWith('https://')).toBe(true);
  const broker = new PscBroker(
    {
      discoveryUrl: psc.discoveryUrl,
      clientId: 'mtls',
      tls: { certPem: structure.certPem, keyPem: structure.keyPem, caPem: pki.caPem },
    },
    redirect,
  );
  expect(await login(broker)).toMatchObject({ idNat: rppsIdNat('1000000001') });
});

it('is refused by PSC with another structure’s certificate', async () => {
  const other = await pki.issueOrganisation({ cn: 'AUTRE', ou: '1750000001', o: 'AUTRE' });
  const broker = new PscBroker(
    {
      discoveryUrl: psc.discoveryUrl,
      clientId: 'mtls',
      tls: { certPem: other.certPem, keyPem: other.keyPem, caPem: pki.caPem },
    },
    redirect,
  );
  await expect(login(broker)).rejects.toMatchObject({
    code: 'upstream',
    message: expect.stringContaining('Réponse de Pro Santé Connect refusée'),
  });
});
