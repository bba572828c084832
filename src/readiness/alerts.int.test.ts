import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import {
  countAudit,
  fixtureEgs,
  fixtureEj,
  seedOrganisationDirectory,
} from '../../test/organisation-fixture.ts';
import { startSmtpServer } from '../../test/smtp.ts';
import { createTestPki } from '../sandbox/pki.ts';
import { runCertificateAlerts } from './alerts.ts';
import { addCertificate, listCertificates, markInstalled } from './certificate-store.ts';
import { parseCertificate } from './certificates.ts';
import { loadDashboard } from './dashboard.ts';
import { smtpMailer } from './mailer.ts';
import { createOrganisation, type ReadinessActor } from './organisations.ts';

const actor: ReadinessActor = { id: '810000000009', means: 'jeton-confiance' };
const day = 86_400_000;

describeEachDriver('certificate expiry alerts', (driver) => {
  let t: TestDatabase;
  const now = Date.now();
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await seedOrganisationDirectory(t.database);
    const org = await createOrganisation(t.database, { finess: fixtureEj }, actor);
    const pki = await createTestPki();
    const insi = await pki.issueOrganisation({
      cn: 'INSI-AUTO',
      ou: `1${fixtureEgs[0]}`,
      o: 'ASSOCIATION',
      notBefore: new Date(now - 1000 * day),
      notAfter: new Date(now + 20 * day),
    });
    const parsed = parseCertificate(new Uint8Array(Buffer.from(insi.certPem)));
    await addCertificate(t.database, org, parsed, 'insi', actor);
    await markInstalled(t.database, org, parsed.fingerprint, '2024-03-01', actor);
    const later = await pki.issueOrganisation({
      cn: 'DMP',
      ou: `1${fixtureEj}`,
      o: 'A',
      notAfter: new Date(now + 400 * day),
    });
    await addCertificate(
      t.database,
      org,
      parseCertificate(new Uint8Array(Buffer.from(later.certPem))),
      'dmp-auth',
      actor,
    );
    await sql`update org_organisation set alert_emails = ${['direction@exemple.fr', 'dsi@exemple.fr']},
      editor = ${JSON.stringify({ name: 'DUI', insWithCertificate: true, dmpWithCertificate: true, supportsPsc: true })}::jsonb`.execute(
      t.database.db,
    );
  }, 60_000);
  afterAll(async () => t?.drop());

  it('mails each threshold once to the organisme’s addresses, and shows the renewal ahead', async () => {
    const smtp = await startSmtpServer();
    const mailer = smtpMailer({ url: smtp.url, from: 'Confiance <alertes@exemple.fr>' });
    try {
      expect(await runCertificateAlerts(t.database, mailer)).toEqual({ due: 1, mailed: 1, failed: 0 });
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]?.to).toEqual(['direction@exemple.fr', 'dsi@exemple.fr']);
      expect(smtp.received[0]?.body).toContain('INSI-AUTO');
      expect(smtp.received[0]?.body).toMatch(/expire dans 20 j/);
      expect(await runCertificateAlerts(t.database, mailer)).toEqual({ due: 0, mailed: 0, failed: 0 });
      expect(await runCertificateAlerts(t.database, mailer, new Date(now + 14 * day))).toEqual({
        due: 1,
        mailed: 1,
        failed: 0,
      });
      const stored = await listCertificates(t.database, fixtureEj);
      expect(stored.find((c) => c.cn === 'INSI-AUTO')?.alertsSent).toEqual([90, 30, 7]);
    } finally {
      mailer.close();
      await smtp.close();
    }
    expect(await countAudit(t.database, 'readiness.certificate.alert')).toBe(2);
    const d = await loadDashboard(t.database, fixtureEj);
    expect(
      d.establishments[0]?.readiness.services[0]?.missing.find((s) => s.id === 'certificat-insi'),
    ).toMatchObject({ ahead: true });
  });

  it('keeps the alert due when the SMTP server cannot be reached, and records the failure', async () => {
    const mailer = smtpMailer({ url: 'smtp://127.0.0.1:1', from: 'alertes@exemple.fr' });
    try {
      expect(await runCertificateAlerts(t.database, mailer, new Date(now + 21 * day))).toEqual({
        due: 1,
        mailed: 0,
        failed: 1,
      });
    } finally {
      mailer.close();
    }
    const failures = await sql<{ n: number }>`select count(*)::int as n from audit_event
      where action = 'readiness.certificate.alert' and outcome = 'failure'`.execute(t.database.db);
    expect(failures.rows[0]?.n).toBe(1);
    expect(await runCertificateAlerts(t.database, null, new Date(now + 21 * day))).toEqual({
      due: 1,
      mailed: 0,
      failed: 0,
    });
  });
});
