import { describe, expect, it } from 'vitest';
import type { StoredCertificate } from './certificate-store.ts';
import { certificateState, egFacts, staffCoverage } from './facts.ts';
import type { Organisation } from './organisations.ts';
import { defaultDui, defaultEditor } from './organisations.ts';
import type { StaffMember } from './staff.ts';

const now = new Date('2026-11-24T10:00:00Z');
const member = (patch: Partial<StaffMember>): StaffMember => ({
  id: 's',
  matricule: 'm',
  nom: 'N',
  prenom: 'P',
  fonction: 'Aide-soignant',
  finessEg: '690000012',
  startDate: '2020-01-01',
  endDate: null,
  email: 'a@b.fr',
  mobile: '+33600000000',
  idNat: null,
  idNatSource: null,
  card: 'aucune',
  eCpsActive: false,
  cardAgent: false,
  authority: 'RPPS+',
  inDirectory: false,
  mailboxes: [],
  ...patch,
});
const cert = (patch: Partial<StoredCertificate>): StoredCertificate => ({
  fingerprint: 'f',
  usage: 'insi',
  kind: 'ORG AUTH_CLI',
  subject: 'CN=INSI-AUTO',
  cn: 'INSI-AUTO',
  ou: '1690000011',
  issuer: 'CN=TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS',
  serial: '01',
  notBefore: new Date('2025-01-01'),
  notAfter: new Date('2028-01-01'),
  keyUsages: [],
  extKeyUsages: ['clientAuth'],
  policies: [],
  installedOn: '2025-02-01',
  uploadedBy: 'x',
  uploadedAt: new Date('2025-01-02'),
  alertsSent: [],
  ...patch,
});

describe('facts from the registry', () => {
  it('counts staff by where they stand: number, authority, contacts, e-CPS, mailbox, cards; leavers excluded', () => {
    const c = staffCoverage(
      [
        member({ idNat: '810000000018', eCpsActive: true, mailboxes: ['a@x.mssante.fr'] }),
        member({ idNat: '810000000026' }),
        member({ idNat: '810000000034', mobile: null }),
        member({ authority: 'Ordre' }),
        member({ authority: 'ARS', email: null }),
        member({}),
        member({ authority: 'non-concerne', cardAgent: true, card: 'CPE' }),
        member({ cardAgent: true }),
        member({ endDate: '2026-01-01' }),
      ],
      '2026-11-24',
    );
    expect(c).toEqual({
      total: 8,
      concerned: 7,
      withNumber: 3,
      awaitingOrdre: 1,
      awaitingArs: 1,
      awaitingRppsPlus: 2,
      missingContacts: 2,
      eCpsActive: 1,
      eCpsToActivate: 1,
      withMailbox: 1,
      withoutMailbox: 2,
      cardAgents: { total: 2, withCard: 1 },
    });
  });

  it('reads the state of the longest-lasting certificate of a usage', () => {
    expect(certificateState([], 'insi', now)).toEqual({ status: 'absent' });
    expect(certificateState([cert({ notAfter: new Date('2026-01-01') })], 'insi', now)).toEqual({
      status: 'expire',
    });
    expect(certificateState([cert({ installedOn: null })], 'insi', now)).toEqual({ status: 'a-installer' });
    expect(certificateState([cert({ notAfter: new Date('2027-01-10') })], 'insi', now)).toEqual({
      status: 'a-renouveler',
      notAfter: '2027-01-10',
    });
    expect(
      certificateState([cert({ notAfter: new Date('2027-01-10') }), cert({ fingerprint: 'g' })], 'insi', now),
    ).toEqual({ status: 'valide' });
    expect(certificateState([cert({})], 'dmp-auth', now)).toEqual({ status: 'absent' });
  });

  it('takes the EJ contract, the profile named for the EG before the organisme’s, and checks FINESS', () => {
    const org: Organisation = {
      finessEj: '690000011',
      raisonSociale: 'ASSOCIATION',
      siret: null,
      legalRepActsAlone: false,
      rppsPlusMode: 'centralise',
      editor: defaultEditor,
      dui: defaultDui,
      alertEmails: [],
      establishments: [],
    };
    const eg = {
      finess: '690000012',
      record: null,
      identityCharter: true,
      autoHomologation: false,
      documentsIdentified: false,
      usagersInformed: false,
      consentCollected: false,
      mssOperator: 'Opérateur',
      mssPartnersIdentified: false,
    };
    const facts = egFacts({
      org,
      eg,
      contracts: [
        {
          id: 1,
          level: 'EJ',
          finess: '690000011',
          representantLegal: 'R',
          signedOn: '2025-01-01',
          cdeReceivedOn: null,
        },
      ],
      roles: [
        {
          id: 1,
          finessEg: null,
          role: 'mandataire',
          person: 'Siège',
          email: null,
          card: 'CPE',
          healthProfessional: false,
          editorStaff: false,
          declaredVia: null,
          declaredOn: null,
        },
        {
          id: 2,
          finessEg: '690000012',
          role: 'mandataire',
          person: 'Local',
          email: null,
          card: 'e-CPS',
          healthProfessional: false,
          editorStaff: false,
          declaredVia: 'mesHabilitations',
          declaredOn: '2025-02-01',
        },
        {
          id: 3,
          finessEg: '690000099',
          role: 'gestionnaire-rpps',
          person: 'Autre',
          email: null,
          card: 'CPE',
          healthProfessional: false,
          editorStaff: false,
          declaredVia: 'mesHabilitations',
          declaredOn: '2025-02-01',
        },
      ],
      coverage: staffCoverage([], '2026-11-24'),
      certificates: [],
      qualifiedShare: 0.5,
      now,
    });
    expect(facts).toMatchObject({
      finessProblems: ['site absent de FINESS'],
      contractSigned: true,
      cdeReceived: false,
      mandataireNeeded: true,
      mandataire: { name: 'Local', declared: true, card: 'e-CPS' },
      adminTech: null,
      gestionnaireRppsPlusDesignated: false,
      mssOperatorChosen: true,
    });
  });
});
