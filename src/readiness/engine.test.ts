import { describe, expect, it } from 'vitest';
import { type EgFacts, egReadiness, type Service, serviceReadiness } from './engine.ts';

/** An EG that has done everything: every service is ready. */
const ready: EgFacts = {
  finess: '920000000',
  finessProblems: [],
  finessAuthority: 'ARS',
  contractSigned: true,
  cdeReceived: true,
  mandataireNeeded: true,
  mandataireDeclared: true,
  mandataireHasCard: true,
  adminTechDeclared: true,
  adminTechHasCard: true,
  editor: { insWithCertificate: true, dmpWithCertificate: true, supportsPsc: true, supportsMss: true },
  certificates: { insi: 'valide', dmpAuth: 'valide', dmpSign: 'valide' },
  staffWithCardsForIns: 0,
  identityCharter: true,
  autoHomologation: true,
  staff: {
    total: 40,
    awaitingOrdreOrArs: 0,
    awaitingRppsPlus: 0,
    eCpsToActivate: 0,
    missingContacts: 0,
    withoutMailbox: 0,
  },
  gestionnaireRppsPlusDesignated: true,
  mssOperatorChosen: true,
  documentsIdentified: true,
  usagersInformed: true,
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

describe('readiness of an EG', () => {
  it('is ready everywhere when every prerequisite is met, and says why the DUI is sensitive', () => {
    const r = egReadiness(ready);
    expect(r.services.map((s) => s.status)).toEqual(['pret', 'pret', 'pret', 'pret', 'pret']);
    expect(r.dui).toEqual({
      sensitive: true,
      reasons: ['Intègre un service partagé (DMP, MSSanté, INSi…).'],
    });
  });

  it.each([
    ['CD', 'Conseil départemental'],
    ['ARS', 'Délégation départementale de l’ARS'],
  ] as const)(
    'is blocked by a wrong FINESS record, corrected by the competent authority (%s)',
    (authority, who) => {
      const r = serviceReadiness(
        'qualifier-ins',
        with_({ finessProblems: ['site fermé'], finessAuthority: authority }),
      );
      expect(r.status).toBe('bloque');
      expect(r.missing[0]).toMatchObject({ id: 'finess', who, via: 'FINESS' });
      expect(r.blockedBy).toContain(who.toLowerCase());
    },
  );

  it('starts with the contract and the CDE card, then the mandataire (mesHabilitations or F502)', () => {
    const f = with_({ contractSigned: false, cdeReceived: false, mandataireDeclared: false });
    expect(ids('qualifier-ins', f).slice(0, 3)).toEqual([
      'contrat:F101',
      'cde:Contrat ANS',
      'mandataire:mesHabilitations',
    ]);
    expect(serviceReadiness('qualifier-ins', f).status).toBe('bloque');
    expect(ids('qualifier-ins', with_({ mandataireDeclared: false, mandataireHasCard: false }))).toEqual([
      'mandataire:F502',
    ]);
    expect(ids('qualifier-ins', with_({ mandataireNeeded: false, mandataireDeclared: false }))).toEqual([]);
  });

  describe('Qualifier l’INS', () => {
    it('with a certificate offered by the editor: administrateur technique (F413), INSi certificate, auto-homologation, charter', () => {
      const f = with_({
        adminTechDeclared: false,
        certificates: { ...ready.certificates, insi: 'absent' },
        autoHomologation: false,
        identityCharter: false,
      });
      expect(ids('qualifier-ins', f)).toEqual([
        'admin-tech:F413',
        'certificat-insi:IGC Santé',
        'homologation:Structure',
        'charte:Structure',
      ]);
      expect(serviceReadiness('qualifier-ins', f).status).toBe('en-cours');
    });

    it('an administrateur technique without a card first gets a CPE (F301); an expired certificate is renewed', () => {
      const f = with_({
        adminTechDeclared: false,
        adminTechHasCard: false,
        certificates: { ...ready.certificates, insi: 'expire' },
      });
      expect(ids('qualifier-ins', f)).toEqual([
        'admin-tech-carte:F301',
        'admin-tech:F413',
        'certificat-insi:IGC Santé',
      ]);
      expect(serviceReadiness('qualifier-ins', f).missing[2]?.label).toMatch(/^Renouveler/);
    });

    it('without a certificate from the editor: the mandataire orders CPE cards (F301), unless staff already hold cards', () => {
      const f = with_({ editor: { ...ready.editor, insWithCertificate: false } });
      expect(ids('qualifier-ins', f)).toEqual(['cartes-ins:F301']);
      expect(ids('qualifier-ins', { ...f, staffWithCardsForIns: 3 })).toEqual([]);
    });
  });

  describe('Alimenter le DMP', () => {
    it('with certificates: the two DMP certificates (authentication and signature)', () => {
      const f = with_({ certificates: { insi: 'valide', dmpAuth: 'absent', dmpSign: 'absent' } });
      expect(ids('alimenter-dmp', f)).toEqual([
        'certificat-dmp-auth:IGC Santé',
        'certificat-dmp-sign:IGC Santé',
      ]);
    });

    it('without: CPE cards; and never without qualified INS, identified documents and informed usagers', () => {
      const f = with_({
        editor: { ...ready.editor, dmpWithCertificate: false },
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

  describe('Consulter le DMP, se connecter avec PSC', () => {
    it('registers professionals by Ordre/ARS or by the employer in RPPS+, then e-CPS activation', () => {
      const f = with_({
        gestionnaireRppsPlusDesignated: false,
        staff: {
          ...ready.staff,
          awaitingOrdreOrArs: 2,
          awaitingRppsPlus: 12,
          missingContacts: 3,
          eCpsToActivate: 20,
        },
      });
      expect(ids('consulter-dmp', f)).toEqual([
        'rpps-ordre-ars:Ordre ou ARS',
        'gestionnaire-rpps:RPPS+',
        'rpps-plus:RPPS+',
        'coordonnees:RPPS+',
        'e-cps:Application e-CPS',
      ]);
      expect(serviceReadiness('consulter-dmp', f).missing[2]?.label).toBe(
        'Enregistrer 12 salarié(s) dans RPPS+',
      );
      expect(ids('connexion-psc', f)).toEqual(ids('consulter-dmp', f));
    });

    it('asks for consent to consult the DMP, and is blocked when the DUI has no PSC', () => {
      expect(ids('consulter-dmp', with_({ usagersInformed: false }))).toEqual(['consentement:Structure']);
      const r = serviceReadiness('connexion-psc', with_({ editor: { ...ready.editor, supportsPsc: false } }));
      expect(r.status).toBe('bloque');
      expect(r.blockedBy).toMatch(/Pro Santé Connect/);
    });
  });

  it('Échanger par MSSanté: operator, RPPS registration, then nominative mailboxes', () => {
    const f = with_({
      mssOperatorChosen: false,
      staff: { ...ready.staff, awaitingRppsPlus: 1, withoutMailbox: 5 },
    });
    expect(ids('echanger-mss', f)).toEqual([
      'operateur-mss:Opérateur MSSanté',
      'rpps-plus:RPPS+',
      'boites-mss:Opérateur MSSanté',
    ]);
  });
});
