import { type ServiceProfile, sensitivity } from './sensitive.ts';

/**
 * The PGSSI-S référentiel d'identification électronique (RIE) as dated rule sets: v1 (arrêté du 28 mars 2022, in
 * force) and the 2026 draft v2 (notified TRIS 2026/0498/FR), selectable. A pure function decides, for a population,
 * a service profile, an identification means and **a date** (never "now"), whether the login is allowed, why, and
 * the session limits. Facts: research/auth.md §4; seed 003.
 */
export const ruleSets = ['v1', 'v2'] as const;
export type RuleSet = (typeof ruleSets)[number];
export const ruleSetLabels: Record<RuleSet, string> = {
  v1: 'RIE v1 (arrêté du 28 mars 2022)',
  v2: 'RIE v2 (projet 2026, notifié TRIS 2026/0498/FR)',
};

export type Population = 'professionnel' | 'usager' | 'aidant' | 'structure';
export type Level = 'faible' | 'substantiel' | 'eleve';

type Kind =
  | 'psc' // a means of the Pro Santé Connect scheme
  | 'cpx' // a CPx card read directly by the service
  | 'certified' // an eIDAS substantiel/élevé certified means (FC+, France Identité, ApCV…)
  | 'local' // a means the hub issues itself (FIDO2 key): homologation (v1) or attestation (v2)
  | 'transition' // password-based means of the transition
  | 'backup' // v2 backup means activated by an administrator
  | 'certificate' // an IGC Santé certificate over mutual TLS
  | 'secret'; // a shared client secret

export interface MeansSpec {
  label: string;
  populations: readonly Population[];
  kind: Kind;
  level: Level;
  /** Authentication factors of different categories. */
  factors: 1 | 2;
}

export const means = {
  'psc-e-cps': {
    label: 'e-CPS par Pro Santé Connect',
    populations: ['professionnel'],
    kind: 'psc',
    level: 'substantiel',
    factors: 2,
  },
  'psc-cps': {
    label: 'carte CPS par Pro Santé Connect',
    populations: ['professionnel'],
    kind: 'psc',
    level: 'eleve',
    factors: 2,
  },
  cpx: {
    label: 'carte CPx lue par le logiciel',
    populations: ['professionnel'],
    kind: 'cpx',
    level: 'eleve',
    factors: 2,
  },
  'idp-habilite': {
    label: 'moyen eIDAS substantiel ou élevé d’un fournisseur habilité',
    populations: ['professionnel'],
    kind: 'certified',
    level: 'substantiel',
    factors: 2,
  },
  fido2: {
    label: 'clé de sécurité FIDO2',
    populations: ['professionnel'],
    kind: 'local',
    level: 'substantiel',
    factors: 2,
  },
  'password-totp': {
    label: 'mot de passe et code à usage unique (TOTP)',
    populations: ['professionnel', 'usager', 'aidant'],
    kind: 'transition',
    level: 'faible',
    factors: 2,
  },
  password: {
    label: 'mot de passe seul',
    populations: ['professionnel', 'usager', 'aidant'],
    kind: 'transition',
    level: 'faible',
    factors: 1,
  },
  backup: {
    label: 'moyen de secours activé par un administrateur',
    populations: ['professionnel'],
    kind: 'backup',
    level: 'faible',
    factors: 1,
  },
  'fc-plus': {
    label: 'FranceConnect+',
    populations: ['usager', 'aidant'],
    kind: 'certified',
    level: 'substantiel',
    factors: 2,
  },
  'france-identite': {
    label: 'France Identité',
    populations: ['usager', 'aidant'],
    kind: 'certified',
    level: 'eleve',
    factors: 2,
  },
  apcv: {
    label: 'application carte Vitale',
    populations: ['usager', 'aidant'],
    kind: 'certified',
    level: 'substantiel',
    factors: 2,
  },
  franceconnect: {
    label: 'FranceConnect (niveau faible) avec second facteur',
    populations: ['usager', 'aidant'],
    kind: 'transition',
    level: 'faible',
    factors: 2,
  },
  'certificat-org': {
    label: 'certificat IGC Santé en TLS mutuel',
    populations: ['structure'],
    kind: 'certificate',
    level: 'substantiel',
    factors: 2,
  },
  'client-secret': {
    label: 'secret partagé',
    populations: ['structure'],
    kind: 'secret',
    level: 'faible',
    factors: 1,
  },
} as const satisfies Record<string, MeansSpec>;
export type Means = keyof typeof means;

export interface LoginRequest {
  ruleSet: RuleSet;
  population: Population;
  service: ServiceProfile;
  means: Means;
  /** The instant of the login; rules are dated and read in Europe/Paris. */
  at: Date;
  /** The login comes from outside the structure's network (Internet, telework, mobility, guest Wi-Fi). */
  remote: boolean;
  /** v1: the service owner homologated the hub's own means. v2: they hold an attestation de conformité. */
  homologated?: boolean;
  /** v2: Pro Santé Connect is unavailable, the only case for a backup means. */
  pscUnavailable?: boolean;
  /** v2: a service in production before the RIE v2 ("historique"), the only one still reading CPx cards directly. */
  historicService?: boolean;
}

export interface SessionLimits {
  absoluteSeconds: number;
  idleSeconds: number;
}

export interface LoginDecision {
  allowed: boolean;
  ruleSet: RuleSet;
  /** Identifiers of the rules applied (EXI numbers of the RIE), for the audit trail. */
  rules: string[];
  /** Why, in French: the rule met or broken, with its date when it has one. */
  reasons: string[];
  session: SessionLimits | null;
}

// One formatter for every decision: building an Intl formatter costs far more than using it.
const parisOffset = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  timeZoneName: 'shortOffset',
});
const midnights = new Map<string, Date>();

/** The instant a calendar day starts in Europe/Paris (CET or CEST), so boundaries fall at local midnight. */
export function parisMidnight(isoDay: string): Date {
  const known = midnights.get(isoDay);
  if (known) return known;
  const utcMidnight = new Date(`${isoDay}T00:00:00Z`);
  const offsetOf = (d: Date) => {
    const name = parisOffset.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value;
    const m = /GMT([+-]\d+)/.exec(name ?? '');
    return m ? Number(m[1]) * 3_600_000 : 0;
  };
  const midnight = new Date(
    utcMidnight.getTime() - offsetOf(new Date(utcMidnight.getTime() - offsetOf(utcMidnight))),
  );
  midnights.set(isoDay, midnight);
  return midnight;
}

const frenchDay = (isoDay: string) => isoDay.split('-').reverse().join('/');
/** A rule dated "until D" holds up to D 23:59:59.999 in Paris. */
const until = (at: Date, isoLastDay: string) => {
  const next = new Date(`${isoLastDay}T12:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return at < parisMidnight(next.toISOString().slice(0, 10));
};
const from = (at: Date, isoDay: string) => at >= parisMidnight(isoDay);

export const dates = {
  v1InForce: '2022-06-01',
  pscForSensitive: '2023-01-01',
  /** Last day of the transition means of RIE v1 (professionals and usagers). */
  v1TransitionEnd: '2025-12-31',
  /** Draft v2: attestation de conformité required for services in production from the day after. */
  v2AttestationDeadline: '2026-12-31',
  /** Draft v2: last day of the usagers' transition means (FranceConnect with a second factor). */
  v2UsagerTransitionEnd: '2028-12-31',
} as const;

const hour = 3600;
/** Draft v2 (EXI RIE-PS 13): an IdP session lasts at most 4 h and 30 min of inactivity. */
const v2Session: SessionLimits = { absoluteSeconds: 4 * hour, idleSeconds: 30 * 60 };
/**
 * v1 leaves both to the service owner (EXI 26 asks for an inactivity logout): Confiance's defaults, a working day
 * and 30 minutes.
 */
const v1Session: SessionLimits = { absoluteSeconds: 10 * hour, idleSeconds: 30 * 60 };

/** The session limits of each rule set, for the provider's sessions and refresh tokens. */
export const sessionLimits: Record<RuleSet, SessionLimits> = { v1: v1Session, v2: v2Session };

interface Verdict {
  allowed: boolean;
  rule: string;
  reason: string;
}
const ok = (rule: string, reason: string): Verdict => ({ allowed: true, rule, reason });
const no = (rule: string, reason: string): Verdict => ({ allowed: false, rule, reason });

/** Password rules that hold whatever the date: alone only locally, two factors from outside (EXI 22, 25). */
function transitionShape(r: LoginRequest, m: MeansSpec, prefix: string): Verdict | null {
  if (m.factors === 1 && r.remote)
    return no(
      `${prefix}-22`,
      'Un mot de passe seul n’est admis que pour un accès local : depuis l’extérieur, deux facteurs de catégories différentes sont exigés.',
    );
  return null;
}

function professionalV1(r: LoginRequest, m: MeansSpec, sensitive: boolean): Verdict[] {
  const v: Verdict[] = [];
  switch (m.kind) {
    case 'psc':
      return [ok('EXI-03', `${m.label} : moyen du dispositif Pro Santé Connect, admis pour tout service.`)];
    case 'cpx':
      return [ok('EXI-06', `${m.label} : toutes les cartes CPx sont admises.`)];
    case 'certified':
      return [ok('EXI-03', `${m.label} : moyen certifié eIDAS substantiel ou élevé.`)];
    case 'local':
      return r.homologated
        ? [ok('EXI-08', `${m.label} : moyen homologué par le responsable du service (eIDAS substantiel).`)]
        : sensitive
          ? [
              no(
                'EXI-08',
                `${m.label} : un moyen propre au service doit être homologué par son responsable pour un service sensible.`,
              ),
            ]
          : [ok('EXI-21', `${m.label} : admis pour un service non sensible.`)];
    case 'transition': {
      const shape = transitionShape(r, m, 'EXI');
      if (shape) return [shape];
      if (sensitive && !until(r.at, dates.v1TransitionEnd))
        return [
          no(
            'EXI-03',
            `${m.label} : moyen de transition, admis pour un service sensible jusqu’au ${frenchDay(dates.v1TransitionEnd)} inclus ; depuis le 01/01/2026, un moyen eIDAS substantiel (Pro Santé Connect, carte CPx, moyen homologué) est exigé.`,
          ),
        ];
      v.push(
        ok(
          sensitive ? 'EXI-03' : 'EXI-21',
          sensitive
            ? `${m.label} : moyen de transition admis jusqu’au ${frenchDay(dates.v1TransitionEnd)} inclus.`
            : `${m.label} : moyen de transition admis pour un service non sensible${m.factors === 1 ? ', en accès local' : ''}.`,
        ),
      );
      return v;
    }
    case 'backup':
      return [no('EXI-03', `${m.label} : le RIE v1 ne prévoit pas de moyen de secours.`)];
    default:
      return [no('MIE', `${m.label} : ce moyen n’est pas destiné aux professionnels.`)];
  }
}

function professionalV2(r: LoginRequest, m: MeansSpec): Verdict[] {
  switch (m.kind) {
    case 'psc':
      return [ok('RIE-PS-02', `${m.label} : moyen du dispositif Pro Santé Connect.`)];
    case 'certified':
      return [
        ok('RIE-PS-02', `${m.label} : fournisseur d’identité habilité par l’ANS pour Pro Santé Connect.`),
      ];
    case 'cpx':
      return r.historicService
        ? [ok('RIE-PS-02', `${m.label} : lecture directe admise pour un service historique.`)]
        : [
            no(
              'RIE-PS-02',
              `${m.label} : la lecture directe des cartes n’est admise que pour les services historiques ; passer par Pro Santé Connect.`,
            ),
          ];
    case 'local':
    case 'transition': {
      const shape = transitionShape(r, m, 'RIE-PS');
      if (shape) return [shape];
      if (m.factors < 2)
        return [no('RIE-PS-09', `${m.label} : deux facteurs de catégories différentes sont exigés.`)];
      if (r.homologated)
        return [ok('RIE-PS-17', `${m.label} : dispositif couvert par une attestation de conformité.`)];
      return !until(r.at, dates.v2AttestationDeadline)
        ? [
            no(
              'RIE-PS-17',
              `${m.label} : sans attestation de conformité, un dispositif propre n’est plus admis après le ${frenchDay(dates.v2AttestationDeadline)}.`,
            ),
          ]
        : [
            ok(
              'RIE-PS-17',
              `${m.label} : admis jusqu’au ${frenchDay(dates.v2AttestationDeadline)} ; l’attestation de conformité devra être obtenue d’ici là.`,
            ),
          ];
    }
    case 'backup':
      return r.pscUnavailable
        ? [
            ok(
              'RIE-PS-16',
              `${m.label} : admis tant que Pro Santé Connect est indisponible, pour le périmètre minimal.`,
            ),
          ]
        : [no('RIE-PS-16', `${m.label} : réservé à l’indisponibilité de Pro Santé Connect.`)];
    default:
      return [no('MIE', `${m.label} : ce moyen n’est pas destiné aux professionnels.`)];
  }
}

function usager(r: LoginRequest, m: MeansSpec): Verdict[] {
  const v1 = r.ruleSet === 'v1';
  const rule = v1 ? 'USA-EXI-01' : 'RIE-USA-02';
  if (m.kind === 'certified') return [ok(rule, `${m.label} : moyen eIDAS substantiel ou élevé.`)];
  if (m.kind !== 'transition') return [no(rule, `${m.label} : ce moyen n’est pas destiné aux usagers.`)];
  if (m.factors < 2)
    return [no(rule, `${m.label} : depuis le 01/06/2022, un second facteur est exigé des usagers.`)];
  const end = v1 ? dates.v1TransitionEnd : dates.v2UsagerTransitionEnd;
  return until(r.at, end)
    ? [ok(rule, `${m.label} : moyen de transition admis jusqu’au ${frenchDay(end)} inclus.`)]
    : [
        no(
          rule,
          `${m.label} : moyen de transition admis jusqu’au ${frenchDay(end)} inclus seulement ; FranceConnect+, France Identité ou l’application carte Vitale sont exigés.`,
        ),
      ];
}

function structure(r: LoginRequest, m: MeansSpec): Verdict[] {
  if (m.kind === 'certificate')
    return [ok('ASPM', `${m.label} : certificat logiciel de la structure (IGC Santé).`)];
  if (m.kind === 'secret')
    return r.service.processesHealthData
      ? [
          no(
            'ASPM',
            'Un service qui traite des données de santé authentifie les structures par certificat IGC Santé en TLS mutuel, pas par secret partagé.',
          ),
        ]
      : [ok('ASPM', `${m.label} : admis pour un service sans données de santé.`)];
  return [no('ASPM', `${m.label} : ce moyen n’est pas destiné aux personnes morales.`)];
}

/** Whether a login is allowed under a rule set at a date, with the reasons and the session limits. */
export function decideLogin(r: LoginRequest): LoginDecision {
  const m: MeansSpec = means[r.means];
  const reasons: string[] = [];
  const rules: string[] = [];
  const done = (verdicts: Verdict[]): LoginDecision => {
    for (const v of verdicts) {
      rules.push(v.rule);
      reasons.push(v.reason);
    }
    const allowed = verdicts.every((v) => v.allowed);
    return {
      allowed,
      ruleSet: r.ruleSet,
      rules,
      reasons,
      session: allowed ? (r.ruleSet === 'v2' ? v2Session : v1Session) : null,
    };
  };
  if (!(m.populations as readonly Population[]).includes(r.population))
    return done([no('MIE', `${m.label} : ce moyen n’est pas prévu pour ce public (${r.population}).`)]);
  if (r.ruleSet === 'v1' && !from(r.at, dates.v1InForce))
    return done([
      ok('RIE', `Le RIE entre en vigueur le ${frenchDay(dates.v1InForce)} : aucune exigence avant.`),
    ]);
  if (r.population === 'structure') return done(structure(r, m));
  if (r.population === 'usager' || r.population === 'aidant') return done(usager(r, m));
  const s = sensitivity(r.service);
  if (r.ruleSet === 'v1') {
    reasons.push(
      s.sensitive
        ? `Service sensible : ${s.reasons.join(' ')}`
        : `Service non sensible : ${s.reasons.join(' ')}`,
    );
    rules.push('4.1.2');
    return done(professionalV1(r, m, s.sensitive));
  }
  reasons.push(
    'RIE v2 : la distinction des services sensibles disparaît, tout service doit proposer Pro Santé Connect.',
  );
  rules.push('RIE-PS-03');
  return done(professionalV2(r, m));
}
