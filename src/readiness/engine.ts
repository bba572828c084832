import { type Sensitivity, type ServiceProfile, sensitivity } from '../auth/policy/sensitive.ts';

/**
 * The prerequisites journey of an établissement (EG) towards the services socles, after seed 004 (GCS SARA,
 * "Prérequis") and seeds 000/001: a pure function from what is known of the EG to, per service, a status and the
 * ordered missing steps, each naming who acts and through which form or portal.
 */
export const services = [
  'qualifier-ins',
  'alimenter-dmp',
  'consulter-dmp',
  'echanger-mss',
  'connexion-psc',
] as const;
export type Service = (typeof services)[number];

export const serviceLabels: Record<Service, string> = {
  'qualifier-ins': 'Qualifier l’INS',
  'alimenter-dmp': 'Alimenter le DMP',
  'consulter-dmp': 'Consulter le DMP',
  'echanger-mss': 'Échanger par MSSanté',
  'connexion-psc': 'Se connecter au DUI avec Pro Santé Connect',
};

export type Via =
  | 'FINESS'
  | 'Contrat ANS'
  | 'F101'
  | 'F301'
  | 'F413'
  | 'F502'
  | 'mesHabilitations'
  | 'TOM'
  | 'RPPS+'
  | 'IGC Santé'
  | 'Application e-CPS'
  | 'Ordre ou ARS'
  | 'Éditeur du DUI'
  | 'Opérateur MSSanté'
  | 'Structure';

export interface Step {
  id: string;
  label: string;
  /** Who does it: représentant légal, mandataire, administrateur technique, gestionnaire RPPS+, éditeur… */
  who: string;
  via: Via;
}

export type ReadinessStatus = 'pret' | 'en-cours' | 'bloque';

export interface ServiceReadiness {
  service: Service;
  status: ReadinessStatus;
  missing: Step[];
  /** Why the service is blocked, when it is. */
  blockedBy: string | null;
}

export type Certificate = 'valide' | 'expire' | 'absent';

export interface EgFacts {
  finess: string;
  /** Problems of the FINESS record (closed site, missing address…); empty when it is right. */
  finessProblems: string[];
  /** Who corrects the FINESS record: the Conseil départemental alone, or the ARS (sole or joint competence). */
  finessAuthority: 'CD' | 'ARS';
  contractSigned: boolean;
  cdeReceived: boolean;
  /** Someone other than the représentant légal orders cards or registers staff. */
  mandataireNeeded: boolean;
  mandataireDeclared: boolean;
  /** Does the mandataire (or administrateur technique) already hold a CPE or CPS card, or an e-CPS? */
  mandataireHasCard: boolean;
  adminTechDeclared: boolean;
  adminTechHasCard: boolean;
  editor: {
    insWithCertificate: boolean;
    dmpWithCertificate: boolean;
    supportsPsc: boolean;
    supportsMss: boolean;
  };
  certificates: { insi: Certificate; dmpAuth: Certificate; dmpSign: Certificate };
  /** Staff who qualify identities and hold a CPE or CPS card (when the editor qualifies with cards). */
  staffWithCardsForIns: number;
  identityCharter: boolean;
  /** Required when a certificate is used for INSi. */
  autoHomologation: boolean;
  staff: {
    total: number;
    /** Health professionals (Ordre or ARS) still without an RPPS/ADELI number. */
    awaitingOrdreOrArs: number;
    /** Other staff who need an RPPS number for the DMP or a personal mailbox, not yet registered in RPPS+. */
    awaitingRppsPlus: number;
    /** Registered staff who could activate an e-CPS but have not. */
    eCpsToActivate: number;
    /** Registered staff missing the contact details the e-CPS activation needs. */
    missingContacts: number;
    withoutMailbox: number;
  };
  gestionnaireRppsPlusDesignated: boolean;
  mssOperatorChosen: boolean;
  documentsIdentified: boolean;
  usagersInformed: boolean;
  /** Share of the EG's usagers whose identity is qualified (0–1). */
  qualifiedShare: number;
  dui: ServiceProfile;
}

const step = (id: string, label: string, who: string, via: Via): Step => ({ id, label, who, via });

/** Steps every service needs first: a right FINESS record, the contract with the ANS and its CDE card. */
function foundations(f: EgFacts): { steps: Step[]; blockedBy: string | null } {
  const steps: Step[] = [];
  let blockedBy: string | null = null;
  if (f.finessProblems.length > 0) {
    const authority =
      f.finessAuthority === 'CD' ? 'Conseil départemental' : 'Délégation départementale de l’ARS';
    steps.push(
      step(
        'finess',
        `Faire corriger la fiche FINESS ${f.finess} : ${f.finessProblems.join(', ')}`,
        authority,
        'FINESS',
      ),
    );
    blockedBy = `La fiche FINESS doit d’abord être corrigée par le ${authority.toLowerCase()}.`;
  }
  if (!f.contractSigned) {
    steps.push(
      step(
        'contrat',
        'Signer le contrat d’adhésion à l’ANS et déclarer le représentant légal (FINESS juridique et SIRET)',
        'Représentant légal',
        'F101',
      ),
    );
    blockedBy ??= 'Le contrat d’adhésion à l’ANS n’est pas signé.';
  }
  if (!f.cdeReceived)
    steps.push(step('cde', 'Recevoir la carte CDE et ses codes', 'Représentant légal', 'Contrat ANS'));
  if (f.mandataireNeeded && !f.mandataireDeclared)
    steps.push(
      f.mandataireHasCard
        ? step('mandataire', 'Déclarer le mandataire', 'Représentant légal', 'mesHabilitations')
        : step(
            'mandataire',
            'Commander une carte CPE pour le mandataire, puis le déclarer',
            'Représentant légal',
            'F502',
          ),
    );
  return { steps, blockedBy };
}

function adminTech(f: EgFacts): Step[] {
  if (f.adminTechDeclared) return [];
  return f.adminTechHasCard
    ? [step('admin-tech', 'Déclarer l’administrateur technique', 'Représentant légal ou mandataire', 'F413')]
    : [
        step(
          'admin-tech-carte',
          'Commander une carte CPE pour l’administrateur technique',
          'Mandataire',
          'F301',
        ),
        step('admin-tech', 'Déclarer l’administrateur technique', 'Représentant légal ou mandataire', 'F413'),
      ];
}

const certificateStep = (c: Certificate, id: string, what: string): Step[] =>
  c === 'valide'
    ? []
    : [
        step(
          id,
          c === 'expire' ? `Renouveler ${what} (expiré)` : `Commander ${what} et le transmettre à l’éditeur`,
          'Administrateur technique',
          'IGC Santé',
        ),
      ];

function ins(f: EgFacts): Step[] {
  const steps: Step[] = [];
  if (f.editor.insWithCertificate) {
    if (f.certificates.insi !== 'valide') steps.push(...adminTech(f));
    steps.push(
      ...certificateStep(
        f.certificates.insi,
        'certificat-insi',
        'le certificat INSi (ORG AUTH_CLI nommé INSI-AUTO)',
      ),
    );
    if (!f.autoHomologation)
      steps.push(
        step(
          'homologation',
          'Faire l’auto-homologation de l’usage du certificat INSi',
          'Représentant légal',
          'Structure',
        ),
      );
  } else if (f.staffWithCardsForIns === 0) {
    steps.push(
      step(
        'cartes-ins',
        'Commander des cartes CPE pour les agents qui qualifient les identités',
        'Mandataire',
        'F301',
      ),
    );
  }
  if (!f.identityCharter)
    steps.push(
      step('charte', 'Adopter la charte d’identitovigilance de l’établissement', 'Direction', 'Structure'),
    );
  return steps;
}

function registration(f: EgFacts): Step[] {
  const steps: Step[] = [];
  if (f.staff.awaitingOrdreOrArs > 0)
    steps.push(
      step(
        'rpps-ordre-ars',
        `${f.staff.awaitingOrdreOrArs} professionnel(s) de santé à faire enregistrer par leur Ordre ou l’ARS (eRPPS)`,
        'Professionnel',
        'Ordre ou ARS',
      ),
    );
  if (f.staff.awaitingRppsPlus > 0) {
    if (!f.gestionnaireRppsPlusDesignated)
      steps.push(step('gestionnaire-rpps', 'Désigner le gestionnaire RPPS+', 'Mandataire', 'RPPS+'));
    steps.push(
      step(
        'rpps-plus',
        `Enregistrer ${f.staff.awaitingRppsPlus} salarié(s) dans RPPS+`,
        'Gestionnaire RPPS+',
        'RPPS+',
      ),
    );
  }
  return steps;
}

function eCps(f: EgFacts): Step[] {
  const steps: Step[] = [];
  if (f.staff.missingContacts > 0)
    steps.push(
      step(
        'coordonnees',
        `Compléter le mobile et l’adresse électronique de ${f.staff.missingContacts} professionnel(s) dans l’annuaire`,
        'Gestionnaire RPPS+ ou professionnel',
        'RPPS+',
      ),
    );
  if (f.staff.eCpsToActivate > 0)
    steps.push(
      step(
        'e-cps',
        `Faire activer leur e-CPS à ${f.staff.eCpsToActivate} professionnel(s)`,
        'Professionnel',
        'Application e-CPS',
      ),
    );
  return steps;
}

function dmpFeed(f: EgFacts): Step[] {
  const steps: Step[] = [];
  if (f.editor.dmpWithCertificate) {
    if (f.certificates.dmpAuth !== 'valide' || f.certificates.dmpSign !== 'valide')
      steps.push(...adminTech(f));
    steps.push(
      ...certificateStep(
        f.certificates.dmpAuth,
        'certificat-dmp-auth',
        'le certificat DMP d’authentification (ORG AUTH_CLI)',
      ),
    );
    steps.push(
      ...certificateStep(
        f.certificates.dmpSign,
        'certificat-dmp-sign',
        'le certificat DMP de signature (ORG SIGN)',
      ),
    );
  } else if (f.staffWithCardsForIns === 0)
    steps.push(
      step(
        'cartes-dmp',
        'Commander des cartes CPE pour les agents qui alimentent le DMP',
        'Mandataire',
        'F301',
      ),
    );
  if (f.qualifiedShare === 0)
    steps.push(
      step(
        'qualifier',
        'Qualifier l’INS des usagers (aucun DMP n’est alimenté sans INS qualifié)',
        'Agents d’accueil',
        'Structure',
      ),
    );
  if (!f.documentsIdentified)
    steps.push(
      step('documents', 'Identifier les documents à verser au DMP', 'Direction et éditeur', 'Éditeur du DUI'),
    );
  if (!f.usagersInformed)
    steps.push(
      step('information', 'Informer les usagers de l’alimentation de leur DMP', 'Direction', 'Structure'),
    );
  return steps;
}

function missingFor(service: Service, f: EgFacts): { steps: Step[]; blockedBy: string | null } {
  switch (service) {
    case 'qualifier-ins':
      return { steps: ins(f), blockedBy: null };
    case 'alimenter-dmp':
      return { steps: [...ins(f).filter((s) => s.id === 'charte'), ...dmpFeed(f)], blockedBy: null };
    case 'consulter-dmp':
      return {
        steps: [
          ...registration(f),
          ...eCps(f),
          ...(f.usagersInformed
            ? []
            : [
                step(
                  'consentement',
                  'Informer les usagers et recueillir leur consentement à la consultation du DMP',
                  'Direction',
                  'Structure',
                ),
              ]),
        ],
        blockedBy: null,
      };
    case 'echanger-mss':
      return {
        steps: [
          ...(f.mssOperatorChosen
            ? []
            : [
                step(
                  'operateur-mss',
                  'Choisir un opérateur de messagerie MSSanté',
                  'Direction',
                  'Opérateur MSSanté',
                ),
              ]),
          ...registration(f),
          ...(f.staff.withoutMailbox > 0
            ? [
                step(
                  'boites-mss',
                  `Créer ${f.staff.withoutMailbox} boîte(s) MSSanté nominative(s) avec le RPPS`,
                  'Opérateur MSSanté',
                  'Opérateur MSSanté',
                ),
              ]
            : []),
        ],
        blockedBy: null,
      };
    case 'connexion-psc':
      return {
        steps: [...registration(f), ...eCps(f)],
        blockedBy: f.editor.supportsPsc
          ? null
          : 'Le DUI ne propose pas encore la connexion par Pro Santé Connect : voir avec l’éditeur.',
      };
  }
}

/** Readiness of one service for one EG. */
export function serviceReadiness(service: Service, f: EgFacts): ServiceReadiness {
  const base = foundations(f);
  const own = missingFor(service, f);
  const missing = [...base.steps, ...own.steps].filter(
    (s, i, all) => all.findIndex((x) => x.id === s.id) === i,
  );
  const blockedBy = base.blockedBy ?? own.blockedBy;
  return {
    service,
    status: blockedBy ? 'bloque' : missing.length === 0 ? 'pret' : 'en-cours',
    missing,
    blockedBy,
  };
}

export interface EgReadiness {
  finess: string;
  services: ServiceReadiness[];
  dui: Sensitivity;
}

export function egReadiness(f: EgFacts): EgReadiness {
  return { finess: f.finess, services: services.map((s) => serviceReadiness(s, f)), dui: sensitivity(f.dui) };
}
