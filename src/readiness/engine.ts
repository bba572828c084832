import { type Sensitivity, type ServiceProfile, sensitivity } from '../auth/policy/sensitive.ts';

/**
 * The prerequisites journey of an établissement (EG) towards the services socles, after seed 004 (GCS SARA,
 * "Prérequis": "Quel MIE pour quel service socle" and "Commander les certificats") and seeds 000/001: a pure
 * function from what is known of the EG to, per service, a status and the ordered missing steps, each naming who
 * acts and through which form or portal.
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
  | 'eRPPS'
  | 'Ordre'
  | 'IGC Santé'
  | 'Application e-CPS'
  | 'Éditeur du DUI'
  | 'Opérateur MSSanté'
  | 'Structure';

export interface Step {
  id: string;
  label: string;
  /** Who does it: représentant légal, mandataire, administrateur technique, gestionnaire RPPS+, éditeur… */
  who: string;
  via: Via;
  /** A step to take ahead of time (a renewal): the service works today. */
  ahead?: true;
}

export type ReadinessStatus = 'pret' | 'en-cours' | 'bloque';

export interface ServiceReadiness {
  service: Service;
  status: ReadinessStatus;
  missing: Step[];
  /** Why the service is blocked, when it is. */
  blockedBy: string | null;
}

export type Card = 'CDE' | 'CPE' | 'CPS' | 'CPA' | 'e-CPS' | 'aucune';

/** A person given a profile (mandataire, administrateur technique) and where their declaration stands. */
export interface Delegate {
  name: string;
  declared: boolean;
  card: Card;
  /** A health professional asks for a CPS; anyone else gets a CPE ordered for them. */
  healthProfessional: boolean;
  /** An editor's employee acting under delegation (administrateur technique only), with a CPA card. */
  editorStaff: boolean;
}

export type CertificateState =
  | { status: 'absent' | 'expire' | 'a-installer' | 'valide' }
  | { status: 'a-renouveler'; notAfter: string };

export interface EgFacts {
  finess: string;
  /** Problems of the FINESS record (closed site, missing address…); empty when it is right. */
  finessProblems: string[];
  /** Who corrects the FINESS record: the Conseil départemental alone, or the ARS (sole or joint competence). */
  finessAuthority: 'CD' | 'ARS';
  contractSigned: boolean;
  cdeReceived: boolean;
  /** The représentant légal will not order cards or register staff himself: a mandataire is needed. */
  mandataireNeeded: boolean;
  mandataire: Delegate | null;
  adminTech: Delegate | null;
  editor: {
    /** "L'éditeur propose de qualifier avec certificat" (one ORG AUTH_CLI named for INSi). */
    insWithCertificate: boolean;
    /** "L'éditeur propose d'alimenter avec certificats" (ORG AUTH_CLI and ORG SIGN). */
    dmpWithCertificate: boolean;
    /** The DUI offers Pro Santé Connect, or delegates its login to Confiance. */
    supportsPsc: boolean;
  };
  certificates: { insi: CertificateState; dmpAuth: CertificateState; dmpSign: CertificateState };
  /** Agents who qualify identities and feed the DMP with cards (when the editor works with cards). */
  cardAgents: { total: number; withCard: number };
  identityCharter: boolean;
  /** Required when a certificate is used for INSi. */
  autoHomologation: boolean;
  staff: {
    total: number;
    /** Health professionals without an RPPS/ADELI number, registered by their Ordre. */
    awaitingOrdre: number;
    /** Professions under the ARS, registered through the eRPPS portal. */
    awaitingArs: number;
    /** Other staff who need an RPPS number for the DMP or a personal mailbox, not yet registered in RPPS+. */
    awaitingRppsPlus: number;
    /** Registered staff who could activate an e-CPS but have not. */
    eCpsToActivate: number;
    /** Registered staff missing the e-mail or mobile the e-CPS activation needs. */
    missingContacts: number;
    withoutMailbox: number;
  };
  gestionnaireRppsPlusDesignated: boolean;
  mssOperatorChosen: boolean;
  mssPartnersIdentified: boolean;
  documentsIdentified: boolean;
  /** Usagers informed that their DMP is fed. */
  usagersInformed: boolean;
  /** Consent to consult the DMP collected. */
  consentCollected: boolean;
  /** Share of the EG's usagers whose identity is qualified (0–1). */
  qualifiedShare: number;
  dui: ServiceProfile;
}

/** From this many cards to order, the TOM téléservice is the way for a large fleet (seed 004). */
export const tomThreshold = 10;

const step = (id: string, label: string, who: string, via: Via): Step => ({ id, label, who, via });

/** Who orders cards: the mandataire, or the représentant légal whose CDE card holds the mandataire rights. */
const cardOrderer = (f: EgFacts) => (f.mandataireNeeded ? 'Mandataire' : 'Représentant légal (carte CDE)');

/** Getting a card for someone who has none: a CPS from the Ordre for a health professional, else a CPE. */
function cardFor(id: string, d: Delegate, f: EgFacts): Step {
  return d.healthProfessional
    ? step(id, `${d.name} demande sa carte CPS à son Ordre (ou sur MaCPS)`, 'Professionnel', 'Ordre')
    : step(id, `Commander une carte CPE pour ${d.name}`, cardOrderer(f), 'F301');
}

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
  if (f.mandataireNeeded) steps.push(...mandataire(f));
  return { steps, blockedBy };
}

/** Seed 004, "Profil Mandataire": how the person is declared depends on the card they hold. */
function mandataire(f: EgFacts): Step[] {
  const m = f.mandataire;
  if (!m)
    return [
      step(
        'mandataire',
        'Désigner un mandataire (il commande les cartes et désigne les gestionnaires RPPS+)',
        'Représentant légal',
        'F502',
      ),
    ];
  if (m.declared) return [];
  if (m.card === 'aucune')
    return m.healthProfessional
      ? [
          cardFor('mandataire-carte', m, f),
          step('mandataire', `Déclarer ${m.name} mandataire`, 'Représentant légal', 'F502'),
        ]
      : [
          step(
            'mandataire',
            `Commander une carte CPE pour ${m.name} et le déclarer mandataire`,
            'Représentant légal',
            'F301',
          ),
        ];
  return [step('mandataire', `Déclarer ${m.name} mandataire`, 'Représentant légal', 'mesHabilitations')];
}

/** Seed 004, "Profil Administrateur technique": needed only to order certificates. */
function adminTech(f: EgFacts): Step[] {
  const who = f.mandataireNeeded ? 'Mandataire' : 'Représentant légal';
  const a = f.adminTech;
  if (!a)
    return [
      step(
        'admin-tech',
        'Désigner un administrateur technique (salarié, ou personnel de l’éditeur par délégation)',
        who,
        'F413',
      ),
    ];
  if (a.declared) return [];
  if (a.editorStaff)
    return [
      ...(a.card === 'CPA'
        ? []
        : [
            step(
              'admin-tech-carte',
              `L’éditeur obtient une carte CPA pour ${a.name}`,
              'Éditeur du DUI',
              'Éditeur du DUI',
            ),
          ]),
      step('admin-tech', `Déclarer ${a.name} (éditeur) administrateur technique par délégation`, who, 'F413'),
    ];
  return [
    ...(a.card === 'aucune' ? [cardFor('admin-tech-carte', a, f)] : []),
    step('admin-tech', `Déclarer ${a.name} administrateur technique`, who, 'mesHabilitations'),
  ];
}

/** Ordering, renewing and installing one certificate, by the administrateur technique on IGC Santé. */
function certificate(c: CertificateState, id: string, what: string, f: EgFacts): Step[] {
  const install = step(
    `${id}-installation`,
    `Transmettre ${what} à l’éditeur pour son installation dans le DUI`,
    'Administrateur technique',
    'Éditeur du DUI',
  );
  switch (c.status) {
    case 'valide':
      return [];
    case 'a-installer':
      return [install];
    case 'a-renouveler':
      return [
        {
          ...step(
            id,
            `Renouveler ${what} avant le ${c.notAfter.split('-').reverse().join('/')}`,
            'Administrateur technique',
            'IGC Santé',
          ),
          ahead: true,
        },
      ];
    case 'absent':
    case 'expire':
      return [
        ...adminTech(f),
        step(
          id,
          `${c.status === 'expire' ? 'Renouveler' : 'Commander'} ${what}${c.status === 'expire' ? ' (expiré)' : ''}`,
          'Administrateur technique',
          'IGC Santé',
        ),
        install,
      ];
  }
}

/** Cards for the agents who qualify identities or feed the DMP, when the editor works with cards. */
function agentCards(f: EgFacts, id: string, purpose: string): Step[] {
  if (f.cardAgents.total === 0)
    return [step(`${id}-agents`, `Désigner les agents qui ${purpose}`, 'Direction', 'Structure')];
  const toOrder = f.cardAgents.total - f.cardAgents.withCard;
  if (toOrder <= 0) return [];
  return [
    step(
      id,
      `Commander ${toOrder} carte(s) CPE pour les agents qui ${purpose}`,
      cardOrderer(f),
      toOrder >= tomThreshold ? 'TOM' : 'F301',
    ),
  ];
}

const qualifyIdentities = step(
  'qualifier',
  'Récupérer les titres d’identité à haut niveau de confiance et qualifier l’INS des usagers',
  'Agents d’accueil',
  'Structure',
);

function ins(f: EgFacts): Step[] {
  const steps: Step[] = [];
  if (f.editor.insWithCertificate) {
    steps.push(
      ...certificate(
        f.certificates.insi,
        'certificat-insi',
        'le certificat INSi (ORG AUTH_CLI nommé INSI-AUTO ou INSI-MANU)',
        f,
      ),
    );
  } else steps.push(...agentCards(f, 'cartes-ins', 'qualifient les identités'));
  if (!f.identityCharter)
    steps.push(
      step('charte', 'Adopter la charte d’identitovigilance de l’établissement', 'Direction', 'Structure'),
    );
  if (f.editor.insWithCertificate && !f.autoHomologation)
    steps.push(
      step(
        'homologation',
        'Faire l’auto-homologation de l’usage du certificat INSi',
        'Représentant légal',
        'Structure',
      ),
    );
  if (f.qualifiedShare === 0) steps.push(qualifyIdentities);
  return steps;
}

function registration(f: EgFacts): Step[] {
  const steps: Step[] = [];
  if (f.staff.awaitingOrdre > 0)
    steps.push(
      step(
        'rpps-ordre',
        `${f.staff.awaitingOrdre} professionnel(s) de santé à faire enregistrer par leur Ordre`,
        'Professionnel',
        'Ordre',
      ),
    );
  if (f.staff.awaitingArs > 0)
    steps.push(
      step(
        'rpps-ars',
        `${f.staff.awaitingArs} professionnel(s) à enregistrer auprès de l’ARS (portail eRPPS, par FranceConnect)`,
        'Professionnel',
        'eRPPS',
      ),
    );
  if (f.staff.awaitingRppsPlus > 0) {
    if (!f.gestionnaireRppsPlusDesignated)
      steps.push(
        step('gestionnaire-rpps', 'Désigner le gestionnaire RPPS+', cardOrderer(f), 'mesHabilitations'),
      );
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
    steps.push(
      ...certificate(
        f.certificates.dmpAuth,
        'certificat-dmp-auth',
        'le certificat DMP d’authentification (ORG AUTH_CLI)',
        f,
      ),
      ...certificate(
        f.certificates.dmpSign,
        'certificat-dmp-sign',
        'le certificat DMP de signature (ORG SIGN)',
        f,
      ),
    );
  } else steps.push(...agentCards(f, 'cartes-dmp', 'alimentent le DMP'));
  // No DMP is fed without a qualified INS.
  if (f.qualifiedShare === 0) steps.push(qualifyIdentities);
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
          ...(f.consentCollected
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
          ...eCps(f),
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
          ...(f.mssPartnersIdentified
            ? []
            : [
                step(
                  'partenaires-mss',
                  'Identifier les partenaires des échanges et informer les usagers de la messagerie citoyenne',
                  'Direction',
                  'Structure',
                ),
              ]),
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
    status: blockedBy ? 'bloque' : missing.some((s) => !s.ahead) ? 'en-cours' : 'pret',
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
