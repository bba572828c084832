import { describe, expect, it } from 'vitest';
import {
  type Delegate,
  type EgFacts,
  egReadiness,
  type Service,
  serviceReadiness,
  tomThreshold,
} from './engine.ts';

const delegate = (patch: Partial<Delegate> = {}): Delegate => ({
  name: 'Mme Exemple',
  declared: true,
  card: 'CPE',
  healthProfessional: false,
  editorStaff: false,
  ...patch,
});

/** An EG that has done everything: every service is ready. */
const ready: EgFacts = {
  finess: '920000000',
  finessProblems: [],
  finessAuthority: 'ARS',
  contractSigned: true,
  cdeReceived: true,
  mandataireNeeded: true,
  mandataire: delegate(),
  adminTech: delegate(),
  editor: { insWithCertificate: true, dmpWithCertificate: true, supportsPsc: true },
  certificates: { insi: { status: 'valide' }, dmpAuth: { status: 'valide' }, dmpSign: { status: 'valide' } },
  cardAgents: { total: 0, withCard: 0 },
  identityCharter: true,
  autoHomologation: true,
  staff: {
    total: 40,
    awaitingOrdre: 0,
    awaitingArs: 0,
    awaitingRppsPlus: 0,
    eCpsToActivate: 0,
    missingContacts: 0,
    withoutMailbox: 0,
  },
  gestionnaireRppsPlusDesignated: true,
  mssOperatorChosen: true,
  mssPartnersIdentified: true,
  documentsIdentified: true,
  usagersInformed: true,
  consentCollected: true,
  qualifiedShare: 0.8,
  dui: {
    processesHealthData: true,
    shared: false,
    integratesShared: true,
    externalAccess: false,
    newUsagersPerYear: 200,
    professionalsPerYear: 60,
  },
};

const with_ = (patch: Partial<EgFacts>): EgFacts => ({ ...ready, ...patch });
const ids = (service: Service, f: EgFacts) =>
  serviceReadiness(service, f).missing.map((s) => `${s.id}:${s.via}`);
const withCards = { editor: { ...ready.editor, insWithCertificate: false, dmpWithCertificate: false } };

describe('readiness of an EG', () => {
  it('is ready everywhere when every prerequisite is met, and says why the DUI is sensitive', () => {
    const r = egReadiness(ready);
    expect(r.services.map((s) => s.status)).toEqual(['pret', 'pret', 'pret', 'pret', 'pret']);
    expect(r.dui).toEqual({
      sensitive: true,
      reasons: ['Intègre un service partagé (DMP, MSSanté, INSi…).'],
    });
  });

  describe('1. Vérifier la base FINESS', () => {
    it.each([
      ['CD', 'Conseil départemental'],
      ['ARS', 'Délégation départementale de l’ARS'],
    ] as const)(
      'a wrong record blocks every service until the competent authority (%s) corrects it',
      (authority, who) => {
        const f = with_({ finessProblems: ['site fermé'], finessAuthority: authority });
        for (const s of egReadiness(f).services) {
          expect(s.status).toBe('bloque');
          expect(s.missing[0]).toMatchObject({ id: 'finess', who, via: 'FINESS' });
          expect(s.blockedBy).toContain(who.toLowerCase());
        }
      },
    );
  });

  describe('2. Contrat d’adhésion and CDE card', () => {
    it('an unsigned contract blocks everything (F101), then the CDE card is awaited', () => {
      const f = with_({ contractSigned: false, cdeReceived: false });
      expect(ids('qualifier-ins', f)).toEqual(['contrat:F101', 'cde:Contrat ANS']);
      expect(serviceReadiness('echanger-mss', f).status).toBe('bloque');
      expect(ids('qualifier-ins', with_({ cdeReceived: false }))).toEqual(['cde:Contrat ANS']);
      expect(serviceReadiness('qualifier-ins', with_({ cdeReceived: false })).status).toBe('en-cours');
    });
  });

  describe('Profil mandataire (only when the représentant légal does not act himself)', () => {
    it.each<[string, Partial<EgFacts>, string[]]>([
      ['nobody designated yet', { mandataire: null }, ['mandataire:F502']],
      [
        'a CPE or CPS holder is declared in mesHabilitations',
        { mandataire: delegate({ declared: false, card: 'CPS' }) },
        ['mandataire:mesHabilitations'],
      ],
      [
        'an e-CPS holder is declared in mesHabilitations',
        { mandataire: delegate({ declared: false, card: 'e-CPS' }) },
        ['mandataire:mesHabilitations'],
      ],
      [
        'without a card: a CPE is ordered and the mandataire declared with F301',
        { mandataire: delegate({ declared: false, card: 'aucune' }) },
        ['mandataire:F301'],
      ],
      [
        'a health professional without a CPS asks his Ordre, then F502',
        { mandataire: delegate({ declared: false, card: 'aucune', healthProfessional: true }) },
        ['mandataire-carte:Ordre', 'mandataire:F502'],
      ],
      [
        'the représentant légal acts alone with his CDE card',
        { mandataireNeeded: false, mandataire: null },
        [],
      ],
    ])('%s', (_path, patch, expected) => {
      expect(ids('qualifier-ins', with_(patch))).toEqual(expected);
    });
  });

  describe('Qualifier l’INS', () => {
    it('the editor offers a certificate: administrateur technique, INSi certificate, transmission, auto-homologation', () => {
      const f = with_({
        adminTech: null,
        certificates: { ...ready.certificates, insi: { status: 'absent' } },
        autoHomologation: false,
        identityCharter: false,
      });
      expect(ids('qualifier-ins', f)).toEqual([
        'admin-tech:F413',
        'certificat-insi:IGC Santé',
        'certificat-insi-installation:Éditeur du DUI',
        'charte:Structure',
        'homologation:Structure',
      ]);
      expect(serviceReadiness('qualifier-ins', f).status).toBe('en-cours');
    });

    it.each<[string, Delegate, string[]]>([
      [
        'own staff with a card: declared in mesHabilitations',
        delegate({ declared: false }),
        ['admin-tech:mesHabilitations'],
      ],
      [
        'own staff without a card: a CPE first (F301)',
        delegate({ declared: false, card: 'aucune' }),
        ['admin-tech-carte:F301', 'admin-tech:mesHabilitations'],
      ],
      [
        'a health professional without a card asks for a CPS',
        delegate({ declared: false, card: 'aucune', healthProfessional: true }),
        ['admin-tech-carte:Ordre', 'admin-tech:mesHabilitations'],
      ],
      [
        'an editor’s employee with a CPA, under delegation (F413)',
        delegate({ declared: false, card: 'CPA', editorStaff: true }),
        ['admin-tech:F413'],
      ],
      [
        'an editor’s employee still without a CPA',
        delegate({ declared: false, card: 'aucune', editorStaff: true }),
        ['admin-tech-carte:Éditeur du DUI', 'admin-tech:F413'],
      ],
    ])('administrateur technique: %s', (_path, adminTech, expected) => {
      const f = with_({ adminTech, certificates: { ...ready.certificates, insi: { status: 'absent' } } });
      expect(ids('qualifier-ins', f).slice(0, -2)).toEqual(expected);
    });

    it('an expired certificate is renewed; one to install is transmitted; one expiring soon keeps the service ready', () => {
      const expired = with_({ certificates: { ...ready.certificates, insi: { status: 'expire' } } });
      expect(serviceReadiness('qualifier-ins', expired).missing[0]?.label).toMatch(
        /^Renouveler .*\(expiré\)/,
      );
      const toInstall = with_({ certificates: { ...ready.certificates, insi: { status: 'a-installer' } } });
      expect(ids('qualifier-ins', toInstall)).toEqual(['certificat-insi-installation:Éditeur du DUI']);
      const soon = with_({
        certificates: { ...ready.certificates, insi: { status: 'a-renouveler', notAfter: '2027-02-01' } },
      });
      const r = serviceReadiness('qualifier-ins', soon);
      expect(r.status).toBe('pret');
      expect(r.missing).toEqual([
        expect.objectContaining({ label: expect.stringContaining('01/02/2027'), ahead: true }),
      ]);
    });

    it('the editor does not offer certificates: the mandataire orders CPE cards (F301, TOM for a large fleet)', () => {
      expect(ids('qualifier-ins', with_({ ...withCards, cardAgents: { total: 0, withCard: 0 } }))).toEqual([
        'cartes-ins-agents:Structure',
      ]);
      expect(ids('qualifier-ins', with_({ ...withCards, cardAgents: { total: 4, withCard: 1 } }))).toEqual([
        'cartes-ins:F301',
      ]);
      const fleet = with_({ ...withCards, cardAgents: { total: tomThreshold, withCard: 0 } });
      expect(ids('qualifier-ins', fleet)).toEqual(['cartes-ins:TOM']);
      expect(ids('qualifier-ins', with_({ ...withCards, cardAgents: { total: 4, withCard: 4 } }))).toEqual(
        [],
      );
      const cde = serviceReadiness(
        'qualifier-ins',
        with_({ ...withCards, mandataireNeeded: false, cardAgents: { total: 2, withCard: 0 } }),
      );
      expect(cde.missing[0]?.who).toBe('Représentant légal (carte CDE)');
    });

    it('no auto-homologation is asked without a certificate; identities must then be qualified', () => {
      expect(
        ids(
          'qualifier-ins',
          with_({ ...withCards, cardAgents: { total: 2, withCard: 2 }, autoHomologation: false }),
        ),
      ).toEqual([]);
      expect(ids('qualifier-ins', with_({ qualifiedShare: 0 }))).toEqual(['qualifier:Structure']);
    });
  });

  describe('Alimenter le DMP', () => {
    it('the editor offers certificates: authentication and signature, both by the administrateur technique', () => {
      const f = with_({
        certificates: {
          insi: { status: 'valide' },
          dmpAuth: { status: 'absent' },
          dmpSign: { status: 'absent' },
        },
      });
      expect(ids('alimenter-dmp', f)).toEqual([
        'certificat-dmp-auth:IGC Santé',
        'certificat-dmp-auth-installation:Éditeur du DUI',
        'certificat-dmp-sign:IGC Santé',
        'certificat-dmp-sign-installation:Éditeur du DUI',
      ]);
    });

    it('without certificates: CPE cards; never without qualified INS, identified documents and informed usagers', () => {
      const f = with_({
        ...withCards,
        cardAgents: { total: 3, withCard: 0 },
        qualifiedShare: 0,
        documentsIdentified: false,
        usagersInformed: false,
      });
      expect(ids('alimenter-dmp', f)).toEqual([
        'cartes-dmp:F301',
        'qualifier:Structure',
        'documents:Éditeur du DUI',
        'information:Structure',
      ]);
    });
  });

  describe('Consulter le DMP and se connecter avec PSC: every professional needs an RPPS or ADELI number', () => {
    it('registers by the Ordre, the ARS (eRPPS) or the employer in RPPS+, then the e-CPS', () => {
      const f = with_({
        gestionnaireRppsPlusDesignated: false,
        staff: {
          ...ready.staff,
          awaitingOrdre: 2,
          awaitingArs: 1,
          awaitingRppsPlus: 12,
          missingContacts: 3,
          eCpsToActivate: 20,
        },
      });
      expect(ids('consulter-dmp', f)).toEqual([
        'rpps-ordre:Ordre',
        'rpps-ars:eRPPS',
        'gestionnaire-rpps:mesHabilitations',
        'rpps-plus:RPPS+',
        'coordonnees:RPPS+',
        'e-cps:Application e-CPS',
      ]);
      expect(serviceReadiness('consulter-dmp', f).missing[3]?.label).toBe(
        'Enregistrer 12 salarié(s) dans RPPS+',
      );
      expect(ids('connexion-psc', f)).toEqual(ids('consulter-dmp', f));
    });

    it('asks for consent to consult the DMP, and is blocked when the DUI has no PSC', () => {
      expect(ids('consulter-dmp', with_({ consentCollected: false }))).toEqual(['consentement:Structure']);
      const r = serviceReadiness('connexion-psc', with_({ editor: { ...ready.editor, supportsPsc: false } }));
      expect(r.status).toBe('bloque');
      expect(r.blockedBy).toMatch(/Pro Santé Connect/);
    });
  });

  it('Échanger par MSSanté: operator, RPPS registration, e-CPS, nominative mailboxes, partners', () => {
    const f = with_({
      mssOperatorChosen: false,
      mssPartnersIdentified: false,
      staff: { ...ready.staff, awaitingRppsPlus: 1, eCpsToActivate: 1, withoutMailbox: 5 },
    });
    expect(ids('echanger-mss', f)).toEqual([
      'operateur-mss:Opérateur MSSanté',
      'rpps-plus:RPPS+',
      'e-cps:Application e-CPS',
      'boites-mss:Opérateur MSSanté',
      'partenaires-mss:Structure',
    ]);
  });

  it('a step shared by the foundations and a service appears once', () => {
    const f = with_({
      mandataire: null,
      adminTech: null,
      certificates: { ...ready.certificates, insi: { status: 'absent' } },
    });
    const all = ids('qualifier-ins', f);
    expect(new Set(all).size).toBe(all.length);
  });
});
