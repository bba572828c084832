import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import {
  fixtureEgs,
  fixtureEj,
  rppsIdNat,
  seedOrganisationDirectory,
} from '../../test/organisation-fixture.ts';
import { createTestPki, type TestPki } from '../sandbox/pki.ts';
import { runCertificateAlerts } from './alerts.ts';
import { addCertificate, listCertificates, markInstalled } from './certificate-store.ts';
import { parseCertificate } from './certificates.ts';
import { addContract, addRole, declareRole, listRoles } from './contracts.ts';
import { loadDashboard } from './dashboard.ts';
import { smtpMailer } from './mailer.ts';
import { createOrganisation, getOrganisation, type ReadinessActor } from './organisations.ts';
import { importStaffCsv, listStaff, StaffImportError } from './staff.ts';

const actor: ReadinessActor = { id: '810000000009', means: 'jeton-confiance' };
const day = 86_400_000;

describeEachDriver('prerequisites registry', (driver) => {
  let t: TestDatabase;
  let pki: TestPki;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await seedOrganisationDirectory(t.database);
    pki = await createTestPki();
  }, 60_000);
  afterAll(async () => t?.drop());

  const audited = async (action: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from audit_event where action = ${action}`.execute(
        t.database.db,
      )
    ).rows[0]?.n ?? 0;

  it('follows an organisme from one EG’s FINESS, with its EGs and their FINESS problems', async () => {
    await expect(createOrganisation(t.database, { finess: '999999999' }, actor)).rejects.toThrow(
      'FINESS 999999999 inconnu de l’annuaire',
    );
    await expect(createOrganisation(t.database, { finess: '12' }, actor)).rejects.toThrow(
      'n’est pas un numéro FINESS',
    );
    const org = await createOrganisation(
      t.database,
      { finess: fixtureEgs[1], raisonSociale: 'Association Les Tilleuls' },
      actor,
    );
    expect(org.finessEj).toBe(fixtureEj);
    expect(org.establishments.map((e) => e.finess)).toEqual([...fixtureEgs]);
    await expect(createOrganisation(t.database, { finess: fixtureEj }, actor)).rejects.toThrow('déjà suivi');
    const d = await loadDashboard(t.database, fixtureEj);
    const blocked = (i: number) => d.establishments[i]?.readiness.services[0];
    expect(blocked(1)?.missing[0]).toMatchObject({ id: 'finess', who: 'Délégation départementale de l’ARS' });
    expect(blocked(1)?.missing[0]?.label).toContain('téléphone absent');
    expect(blocked(2)?.missing[0]).toMatchObject({ id: 'finess', who: 'Conseil départemental' });
    expect(blocked(2)?.missing[0]?.label).toContain('site fermé (retiré de FINESS le 02/03/2026)');
    expect(blocked(0)?.missing[0]?.id).toBe('contrat');
    expect(await audited('readiness.organisation.create')).toBe(1);
  });

  it('records the contract and the profiles, refusing inconsistent dates and means', async () => {
    const org = await getOrganisation(t.database, fixtureEj);
    await expect(
      addContract(
        t.database,
        org,
        {
          level: 'EJ',
          finess: '',
          representantLegal: 'Mme R',
          signedOn: '10/03/2025',
          cdeReceivedOn: '01/03/2025',
        },
        actor,
      ),
    ).rejects.toThrow('Contrat refusé : carte CDE reçue avant la signature du contrat.');
    await expect(
      addContract(
        t.database,
        org,
        {
          level: 'EG',
          finess: '750000001',
          representantLegal: '',
          signedOn: '31/02/2025',
          cdeReceivedOn: '',
        },
        actor,
      ),
    ).rejects.toThrow(
      'Contrat refusé : FINESS 750000001 : ce n’est pas un établissement de l’organisme ; représentant légal manquant ; date de signature « 31/02/2025 » invalide (JJ/MM/AAAA attendu).',
    );
    await addContract(
      t.database,
      org,
      {
        level: 'EJ',
        finess: '',
        representantLegal: 'Mme R',
        signedOn: '2025-03-10',
        cdeReceivedOn: '2025-03-28',
      },
      actor,
    );
    const base = {
      finessEg: '',
      email: '',
      healthProfessional: false,
      editorStaff: false,
      declaredVia: '',
      declaredOn: '',
    };
    await expect(
      addRole(
        t.database,
        org,
        {
          ...base,
          role: 'mandataire',
          person: 'M. X',
          card: 'CPE',
          declaredVia: 'F413',
          declaredOn: '2025-04-01',
        },
        actor,
      ),
    ).rejects.toThrow('un mandataire ne se déclare pas par F413');
    await expect(
      addRole(
        t.database,
        org,
        { ...base, role: 'mandataire', person: 'M. X', card: 'CPE', editorStaff: true },
        actor,
      ),
    ).rejects.toThrow('seul un administrateur technique peut être un salarié de l’éditeur');
    await addRole(
      t.database,
      org,
      { ...base, role: 'mandataire', person: 'M. Mandataire', card: 'aucune' },
      actor,
    );
    await addRole(
      t.database,
      org,
      {
        ...base,
        role: 'admin-tech',
        person: 'Technicien éditeur',
        card: 'CPA',
        editorStaff: true,
        declaredVia: 'F413',
        declaredOn: '2025-04-10',
      },
      actor,
    );
    const [mandataire] = (await listRoles(t.database, fixtureEj)).filter((r) => r.role === 'mandataire');
    await expect(
      declareRole(t.database, org, mandataire?.id ?? 0, 'mesHabilitations', '2025-04-01', actor),
    ).rejects.toThrow('M. Mandataire n’a pas encore de carte');
    const d = await loadDashboard(t.database, fixtureEj);
    expect(
      d.establishments[0]?.readiness.services[0]?.missing.map((s) => `${s.id}:${s.via}`).slice(0, 1),
    ).toEqual(['mandataire:F301']);
    expect(await audited('readiness.role.add')).toBe(2);
  });

  it('imports the staff file all or nothing, finds numbers in the directory, updates on re-import', async () => {
    const org = await getOrganisation(t.database, fixtureEj);
    const header =
      'matricule;nom;prénom;fonction;finess;date entrée;date sortie;courriel;mobile;rpps;carte;e-cps;qualifie ins';
    const bad = [
      header,
      `M1;DUPONT;Anne;Infirmière;${fixtureEgs[0]};01/01/2020;;;;;;;`,
      'M2;;Jean;AES;999999999;2020;;;;;;;',
    ].join('\n');
    const refused = await importStaffCsv(t.database, org, bad, actor).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StaffImportError);
    expect((refused as StaffImportError).lines.map((l) => l.line)).toEqual([3, 3, 3]);
    expect(await listStaff(t.database, fixtureEj)).toEqual([]);
    const good = [
      header,
      `M1;Dupont;Anne;Infirmière;${fixtureEgs[0]};01/01/2020;;a.dupont@exemple.fr;0611223344;;e-CPS;oui;non`,
      `M2;BERNARD;Marc;Aide-soignant;${fixtureEgs[0]};01/02/2021;;;;;;;oui`,
      `M3;PETIT;Luc;Accompagnant éducatif et social;${fixtureEgs[0]};01/02/2021;;l.petit@exemple.fr;0611223355;;;;`,
      `M4;ROUX;Léa;Psychologue;${fixtureEgs[1]};01/02/2021;;;;;;;`,
      `M5;GIRARD;Paul;Cuisinier;${fixtureEgs[1]};01/02/2021;;;;;;;`,
    ].join('\n');
    expect(await importStaffCsv(t.database, org, good, actor)).toEqual({
      created: 5,
      updated: 0,
      matched: 2,
    });
    const staff = await listStaff(t.database, fixtureEj);
    expect(staff.find((s) => s.matricule === 'M1')).toMatchObject({
      idNat: rppsIdNat('1000000001'),
      idNatSource: 'annuaire',
      inDirectory: true,
      mailboxes: ['anne.dupont@ehpad-tilleuls.mssante.fr'],
      authority: 'Ordre',
    });
    expect(staff.find((s) => s.matricule === 'M2')?.idNat).toBe(rppsIdNat('1000000002'));
    expect(await importStaffCsv(t.database, org, good.replace('Cuisinier', 'Cuisinier chef'), actor)).toEqual(
      {
        created: 0,
        updated: 5,
        matched: 0,
      },
    );
    expect((await listStaff(t.database, fixtureEj)).length).toBe(5);
    const eg0 = (await loadDashboard(t.database, fixtureEj)).establishments[0];
    expect(eg0?.coverage).toMatchObject({
      total: 3,
      concerned: 3,
      withNumber: 2,
      awaitingRppsPlus: 1,
      eCpsActive: 1,
      withMailbox: 1,
    });
    expect(await audited('readiness.staff.import')).toBe(3);
  });

  it('keeps certificates of the organisme only, and mails expiry alerts once per threshold', async () => {
    const org = await getOrganisation(t.database, fixtureEj);
    const parse = (pem: string) => parseCertificate(new Uint8Array(Buffer.from(pem)));
    const other = await pki.issueOrganisation({ cn: 'INSI-AUTO', ou: '1750000001', o: 'AUTRE' });
    await expect(addCertificate(t.database, org, parse(other.certPem), 'insi', actor)).rejects.toThrow(
      'il est émis pour la structure FINESS 750000001, qui n’est pas de l’organisme 690000011',
    );
    const wrongName = await pki.issueOrganisation({ cn: 'DMP', ou: `1${fixtureEj}`, o: 'ASSOCIATION' });
    await expect(addCertificate(t.database, org, parse(wrongName.certPem), 'insi', actor)).rejects.toThrow(
      /INSI-AUTO ou INSI-MANU/,
    );
    const now = Date.now();
    const insi = await pki.issueOrganisation({
      cn: 'INSI-AUTO',
      ou: `1${fixtureEgs[0]}`,
      o: 'ASSOCIATION',
      notBefore: new Date(now - 1000 * day),
      notAfter: new Date(now + 20 * day),
    });
    const parsed = parse(insi.certPem);
    await addCertificate(t.database, org, parsed, 'insi', actor);
    await expect(addCertificate(t.database, org, parsed, 'insi', actor)).rejects.toThrow('déjà enregistré');
    await markInstalled(t.database, org, parsed.fingerprint, '2024-03-01', actor);
    const sign = await pki.issueOrganisation({
      cn: 'DMP SIGNATURE',
      ou: `3${org.establishments[0]?.record?.siret}`,
      o: 'A',
      usage: 'SIGN',
    });
    await addCertificate(t.database, org, parse(sign.certPem), 'dmp-sign', actor);

    const received: Array<{ to: string[]; body: string }> = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let body = '';
        stream.on('data', (c: Buffer) => {
          body += c.toString('utf8');
        });
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as { port: number }).port;
    await sql`update org_organisation set alert_emails = ${['direction@exemple.fr', 'dsi@exemple.fr']}`.execute(
      t.database.db,
    );
    const mailer = smtpMailer({ url: `smtp://127.0.0.1:${port}`, from: 'Confiance <alertes@exemple.fr>' });
    try {
      expect(await runCertificateAlerts(t.database, mailer)).toEqual({ due: 1, mailed: 1, failed: 0 });
      expect(received).toHaveLength(1);
      expect(received[0]?.to).toEqual(['direction@exemple.fr', 'dsi@exemple.fr']);
      expect(received[0]?.body).toContain('INSI-AUTO');
      expect(received[0]?.body).toMatch(/expire dans 20 j/);
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
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
    expect(await audited('readiness.certificate.alert')).toBe(2);
    await sql`update org_organisation set editor = ${JSON.stringify({ name: 'DUI', insWithCertificate: true, dmpWithCertificate: true, supportsPsc: true })}::jsonb`.execute(
      t.database.db,
    );
    const d = await loadDashboard(t.database, fixtureEj);
    expect(
      d.establishments[0]?.readiness.services[0]?.missing.find((s) => s.id === 'certificat-insi'),
    ).toMatchObject({
      ahead: true,
    });
  });
});
