import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import {
  countAudit,
  fixtureEgs,
  fixtureEj,
  seedOrganisationDirectory,
} from '../../test/organisation-fixture.ts';
import { createTestPki, type TestPki } from '../sandbox/pki.ts';
import { addCertificate, listCertificates, markInstalled, removeCertificate } from './certificate-store.ts';
import { parseCertificate } from './certificates.ts';
import { createOrganisation, getOrganisation, type ReadinessActor } from './organisations.ts';

const actor: ReadinessActor = { id: '810000000009', means: 'jeton-confiance' };
const parse = (pem: string) => parseCertificate(new Uint8Array(Buffer.from(pem)));

describeEachDriver('certificates of an organisme', (driver) => {
  let t: TestDatabase;
  let pki: TestPki;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await seedOrganisationDirectory(t.database);
    await createOrganisation(t.database, { finess: fixtureEj }, actor);
    pki = await createTestPki();
  }, 60_000);
  afterAll(async () => t?.drop());

  it('keeps only certificates naming the organisme and fit for their usage, once each', async () => {
    const org = await getOrganisation(t.database, fixtureEj);
    const other = await pki.issueOrganisation({ cn: 'INSI-AUTO', ou: '1750000001', o: 'AUTRE' });
    await expect(addCertificate(t.database, org, parse(other.certPem), 'insi', actor)).rejects.toThrow(
      'il est émis pour la structure FINESS 750000001, qui n’est pas de l’organisme 690000011',
    );
    const wrongName = await pki.issueOrganisation({ cn: 'DMP', ou: `1${fixtureEj}`, o: 'ASSOCIATION' });
    await expect(addCertificate(t.database, org, parse(wrongName.certPem), 'insi', actor)).rejects.toThrow(
      /INSI-AUTO ou INSI-MANU/,
    );
    const insi = parse(
      (await pki.issueOrganisation({ cn: 'INSI-AUTO', ou: `1${fixtureEgs[0]}`, o: 'A' })).certPem,
    );
    await addCertificate(t.database, org, insi, 'insi', actor);
    await expect(addCertificate(t.database, org, insi, 'insi', actor)).rejects.toThrow('déjà enregistré');
    const sign = await pki.issueOrganisation({
      cn: 'DMP SIGNATURE',
      ou: `3${org.establishments[0]?.record?.siret}`,
      o: 'A',
      usage: 'SIGN',
    });
    await addCertificate(t.database, org, parse(sign.certPem), 'dmp-sign', actor);
    await markInstalled(t.database, org, insi.fingerprint, '2026-01-15', actor);
    const stored = await listCertificates(t.database, fixtureEj);
    expect(stored.map((c) => [c.usage, c.kind, c.installedOn])).toEqual([
      ['insi', 'ORG AUTH_CLI', '2026-01-15'],
      ['dmp-sign', 'ORG SIGN', null],
    ]);
    await removeCertificate(t.database, org, insi.fingerprint, actor);
    await expect(removeCertificate(t.database, org, insi.fingerprint, actor)).rejects.toThrow(
      'Certificat inconnu',
    );
    expect(await countAudit(t.database, 'readiness.certificate.add')).toBe(4);
    expect(await countAudit(t.database, 'readiness.certificate.remove')).toBe(1);
  });
});
