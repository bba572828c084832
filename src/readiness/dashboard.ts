import { sql } from 'kysely';
import { type Sensitivity, sensitivity } from '../auth/policy/sensitive.ts';
import type { Database } from '../db/connect.ts';
import { daysLeft, dueAlert } from './alerts.ts';
import { listCertificates, type StoredCertificate } from './certificate-store.ts';
import { type Contract, listContracts, listRoles, type RoleHolder } from './contracts.ts';
import { type EgReadiness, egReadiness, type Service, type Step } from './engine.ts';
import { egFacts, type StaffCoverage, staffCoverage } from './facts.ts';
import { type Establishment, getOrganisation, type Organisation } from './organisations.ts';
import { listStaff, type StaffMember } from './staff.ts';

export interface EgDashboard {
  establishment: Establishment;
  readiness: EgReadiness;
  coverage: StaffCoverage;
  qualified: { qualified: number; total: number };
}

export interface NextAction {
  step: Step;
  services: Service[];
  establishments: string[];
}

export interface Dashboard {
  organisation: Organisation;
  contracts: Contract[];
  roles: RoleHolder[];
  certificates: Array<StoredCertificate & { daysLeft: number; alert: number | null }>;
  establishments: EgDashboard[];
  nextActions: NextAction[];
  coverage: StaffCoverage;
  dui: Sensitivity;
  staff: StaffMember[];
  generatedAt: Date;
}

async function qualifiedShares(database: Database, finess: string[]) {
  if (finess.length === 0) return new Map<string, { qualified: number; total: number }>();
  const rows = await sql<{ finess: string; qualified: number; total: number }>`
    select structure_finess as finess, count(*) filter (where status = 'QUAL')::int as qualified,
      count(*)::int as total
    from usager where merged_into is null and structure_finess = any(${finess})
    group by structure_finess`.execute(database.db);
  return new Map(rows.rows.map((r) => [r.finess, { qualified: r.qualified, total: r.total }]));
}

function sumCoverage(all: StaffCoverage[]): StaffCoverage {
  const sum = (f: (c: StaffCoverage) => number) => all.reduce((n, c) => n + f(c), 0);
  return {
    total: sum((c) => c.total),
    concerned: sum((c) => c.concerned),
    withNumber: sum((c) => c.withNumber),
    awaitingOrdre: sum((c) => c.awaitingOrdre),
    awaitingArs: sum((c) => c.awaitingArs),
    awaitingRppsPlus: sum((c) => c.awaitingRppsPlus),
    missingContacts: sum((c) => c.missingContacts),
    eCpsActive: sum((c) => c.eCpsActive),
    eCpsToActivate: sum((c) => c.eCpsToActivate),
    withMailbox: sum((c) => c.withMailbox),
    withoutMailbox: sum((c) => c.withoutMailbox),
    cardAgents: { total: sum((c) => c.cardAgents.total), withCard: sum((c) => c.cardAgents.withCard) },
  };
}

/** Steps that block every service until done. */
const blocking = new Set(['finess', 'contrat']);

/**
 * The steps still to take across EGs and services, each once: blocking steps first, then in journey order (a
 * step's earliest place in any service's list), renewals to anticipate last.
 */
export function nextActions(establishments: EgDashboard[]): NextAction[] {
  const byKey = new Map<string, NextAction & { rank: number }>();
  for (const eg of establishments)
    for (const s of eg.readiness.services)
      s.missing.forEach((step, position) => {
        const key = `${step.id}\u0000${step.label}`;
        const action = byKey.get(key) ?? { step, services: [], establishments: [], rank: position };
        action.rank = Math.min(action.rank, position);
        if (!action.services.includes(s.service)) action.services.push(s.service);
        if (!action.establishments.includes(eg.establishment.finess))
          action.establishments.push(eg.establishment.finess);
        byKey.set(key, action);
      });
  return [...byKey.values()]
    .sort(
      (a, b) =>
        Number(!!a.step.ahead) - Number(!!b.step.ahead) ||
        Number(!blocking.has(a.step.id)) - Number(!blocking.has(b.step.id)) ||
        a.rank - b.rank,
    )
    .map(({ rank: _rank, ...action }) => action);
}

/** Everything the readiness dashboard shows for an organisme, computed at `now`. */
export async function loadDashboard(
  database: Database,
  finessEj: string,
  now = new Date(),
): Promise<Dashboard> {
  const organisation = await getOrganisation(database, finessEj);
  const finess = organisation.establishments.map((e) => e.finess);
  const [contracts, roles, staff, certificates, shares] = await Promise.all([
    listContracts(database, finessEj),
    listRoles(database, finessEj),
    listStaff(database, finessEj),
    listCertificates(database, finessEj),
    qualifiedShares(database, finess),
  ]);
  const today = now.toISOString().slice(0, 10);
  const staffByEg = new Map<string, StaffMember[]>();
  for (const s of staff) {
    const list = staffByEg.get(s.finessEg);
    if (list) list.push(s);
    else staffByEg.set(s.finessEg, [s]);
  }
  const establishments = organisation.establishments.map((eg): EgDashboard => {
    const coverage = staffCoverage(staffByEg.get(eg.finess) ?? [], today);
    const qualified = shares.get(eg.finess) ?? { qualified: 0, total: 0 };
    const facts = egFacts({
      org: organisation,
      eg,
      contracts,
      roles,
      coverage,
      certificates,
      qualifiedShare: qualified.total === 0 ? 0 : qualified.qualified / qualified.total,
      now,
    });
    return { establishment: eg, readiness: egReadiness(facts), coverage, qualified };
  });
  return {
    organisation,
    contracts,
    roles,
    certificates: certificates.map((c) => ({
      ...c,
      daysLeft: daysLeft(c, now),
      alert: dueAlert({ ...c, alertsSent: [] }, certificates, now),
    })),
    establishments,
    nextActions: nextActions(establishments),
    coverage: sumCoverage(establishments.map((e) => e.coverage)),
    dui: sensitivity(organisation.dui),
    staff,
    generatedAt: now,
  };
}
