import type { StoredCertificate } from './certificate-store.ts';
import type { CertificateUsage } from './certificates.ts';
import type { Contract, RoleHolder } from './contracts.ts';
import type { CertificateState, Delegate, EgFacts } from './engine.ts';
import { competence, correctingAuthority, finessProblems } from './finess-check.ts';
import type { Establishment, Organisation } from './organisations.ts';
import type { StaffMember } from './staff.ts';

/** Where the staff of an EG stand towards the RPPS, the e-CPS and MSSanté. */
export interface StaffCoverage {
  total: number;
  /** Staff who need an RPPS or ADELI number (health professions and RPPS+ roles, or already numbered). */
  concerned: number;
  withNumber: number;
  awaitingOrdre: number;
  awaitingArs: number;
  awaitingRppsPlus: number;
  missingContacts: number;
  eCpsActive: number;
  eCpsToActivate: number;
  withMailbox: number;
  withoutMailbox: number;
  cardAgents: { total: number; withCard: number };
}

const physicalCards = new Set(['CPE', 'CPS', 'CPA']);

export function staffCoverage(staff: StaffMember[], today: string): StaffCoverage {
  const present = staff.filter((s) => !s.endDate || s.endDate >= today);
  const c: StaffCoverage = {
    total: present.length,
    concerned: 0,
    withNumber: 0,
    awaitingOrdre: 0,
    awaitingArs: 0,
    awaitingRppsPlus: 0,
    missingContacts: 0,
    eCpsActive: 0,
    eCpsToActivate: 0,
    withMailbox: 0,
    withoutMailbox: 0,
    cardAgents: { total: 0, withCard: 0 },
  };
  for (const s of present) {
    if (s.cardAgent) {
      c.cardAgents.total += 1;
      if (physicalCards.has(s.card)) c.cardAgents.withCard += 1;
    }
    if (s.authority === 'non-concerne' && !s.idNat) continue;
    c.concerned += 1;
    const contacts = !!s.email && !!s.mobile;
    if (s.idNat) {
      c.withNumber += 1;
      if (s.eCpsActive) c.eCpsActive += 1;
      else if (contacts) c.eCpsToActivate += 1;
      if (s.mailboxes.length > 0) c.withMailbox += 1;
      else c.withoutMailbox += 1;
    } else if (s.authority === 'Ordre') c.awaitingOrdre += 1;
    else if (s.authority === 'ARS') c.awaitingArs += 1;
    else c.awaitingRppsPlus += 1;
    if (!s.eCpsActive && !contacts) c.missingContacts += 1;
  }
  return c;
}

/** Renewal is asked from this many days before the end (the first alert). */
export const renewalDays = 90;

/** The state of the certificate serving a usage: the one that lasts longest. */
export function certificateState(
  certificates: StoredCertificate[],
  usage: CertificateUsage,
  now: Date,
): CertificateState {
  const latest = certificates
    .filter((c) => c.usage === usage)
    .reduce<StoredCertificate | null>((best, c) => (!best || c.notAfter > best.notAfter ? c : best), null);
  if (!latest) return { status: 'absent' };
  if (latest.notAfter <= now) return { status: 'expire' };
  if (!latest.installedOn) return { status: 'a-installer' };
  if (latest.notAfter.getTime() - now.getTime() <= renewalDays * 86_400_000)
    return { status: 'a-renouveler', notAfter: latest.notAfter.toISOString().slice(0, 10) };
  return { status: 'valide' };
}

/** The person holding a profile for an EG: one named for the EG first, else one for the whole organisme. */
function delegateFor(roles: RoleHolder[], role: RoleHolder['role'], eg: string): Delegate | null {
  const candidates = roles
    .filter((r) => r.role === role && (r.finessEg === eg || r.finessEg === null))
    .sort(
      (a, b) =>
        Number(b.declaredVia !== null) - Number(a.declaredVia !== null) ||
        Number(b.finessEg !== null) - Number(a.finessEg !== null),
    );
  const r = candidates[0];
  return r
    ? {
        name: r.person,
        declared: r.declaredVia !== null,
        card: r.card,
        healthProfessional: r.healthProfessional,
        editorStaff: r.editorStaff,
      }
    : null;
}

export interface EgInputs {
  org: Organisation;
  eg: Establishment;
  contracts: Contract[];
  roles: RoleHolder[];
  coverage: StaffCoverage;
  certificates: StoredCertificate[];
  qualifiedShare: number;
  now: Date;
}

/** What the readiness engine needs to know of one EG, from what the registry holds. */
export function egFacts(i: EgInputs): EgFacts {
  const { org, eg, coverage } = i;
  const contract = i.contracts.find(
    (c) => (c.level === 'EJ' && c.finess === org.finessEj) || (c.level === 'EG' && c.finess === eg.finess),
  );
  return {
    finess: eg.finess,
    finessProblems: eg.record ? finessProblems(eg.record, org.finessEj) : ['site absent de FINESS'],
    finessAuthority: correctingAuthority(competence(eg.record?.categorieCode ?? null)),
    contractSigned: !!contract,
    cdeReceived: !!contract?.cdeReceivedOn,
    mandataireNeeded: !org.legalRepActsAlone,
    mandataire: delegateFor(i.roles, 'mandataire', eg.finess),
    adminTech: delegateFor(i.roles, 'admin-tech', eg.finess),
    editor: {
      insWithCertificate: org.editor.insWithCertificate,
      dmpWithCertificate: org.editor.dmpWithCertificate,
      supportsPsc: org.editor.supportsPsc,
    },
    certificates: {
      insi: certificateState(i.certificates, 'insi', i.now),
      dmpAuth: certificateState(i.certificates, 'dmp-auth', i.now),
      dmpSign: certificateState(i.certificates, 'dmp-sign', i.now),
    },
    cardAgents: coverage.cardAgents,
    identityCharter: eg.identityCharter,
    autoHomologation: eg.autoHomologation,
    staff: {
      total: coverage.total,
      awaitingOrdre: coverage.awaitingOrdre,
      awaitingArs: coverage.awaitingArs,
      awaitingRppsPlus: coverage.awaitingRppsPlus,
      eCpsToActivate: coverage.eCpsToActivate,
      missingContacts: coverage.missingContacts,
      withoutMailbox: coverage.withoutMailbox,
    },
    gestionnaireRppsPlusDesignated: i.roles.some(
      (r) =>
        r.role === 'gestionnaire-rpps' &&
        r.declaredVia !== null &&
        (r.finessEg === null || r.finessEg === eg.finess),
    ),
    mssOperatorChosen: !!eg.mssOperator,
    mssPartnersIdentified: eg.mssPartnersIdentified,
    documentsIdentified: eg.documentsIdentified,
    usagersInformed: eg.usagersInformed,
    consentCollected: eg.consentCollected,
    qualifiedShare: i.qualifiedShare,
    dui: org.dui,
  };
}
