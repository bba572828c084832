import { sql } from 'kysely';
import { appendEvent } from '../audit/append.ts';
import type { Database } from '../db/connect.ts';
import type { Card } from './engine.ts';
import { type Organisation, type ReadinessActor, ReadinessError } from './organisations.ts';
import { parseFrenchDate } from './staff-input.ts';

/**
 * The contrat d'adhésion with the ANS (form F101, at EJ level as advised, or per EG) and the people given a
 * profile: mandataire (F502 or mesHabilitations), administrateur technique (F413 or mesHabilitations; an editor's
 * employee with a CPA under delegation), gestionnaire RPPS+ (mesHabilitations), for the whole organisme or one EG.
 */
export interface Contract {
  id: number;
  level: 'EJ' | 'EG';
  finess: string;
  representantLegal: string;
  signedOn: string;
  cdeReceivedOn: string | null;
}

export const roles = ['mandataire', 'admin-tech', 'gestionnaire-rpps'] as const;
export type Role = (typeof roles)[number];
export const roleLabels: Record<Role, string> = {
  mandataire: 'Mandataire',
  'admin-tech': 'Administrateur technique',
  'gestionnaire-rpps': 'Gestionnaire RPPS+',
};
export const cards = ['CDE', 'CPE', 'CPS', 'CPA', 'e-CPS', 'aucune'] as const satisfies readonly Card[];
export type DeclaredVia = 'F502' | 'F413' | 'mesHabilitations';

/** The ways each profile is declared (seed 004; mesHabilitations now replaces the forms for most). */
export const declarationMeans: Record<Role, DeclaredVia[]> = {
  mandataire: ['mesHabilitations', 'F502'],
  'admin-tech': ['mesHabilitations', 'F413'],
  'gestionnaire-rpps': ['mesHabilitations'],
};

export interface RoleHolder {
  id: number;
  finessEg: string | null;
  role: Role;
  person: string;
  email: string | null;
  card: Card;
  healthProfessional: boolean;
  editorStaff: boolean;
  declaredVia: DeclaredVia | null;
  declaredOn: string | null;
}

const today = () => new Date().toISOString().slice(0, 10);
const toIso = (d: unknown) =>
  d instanceof Date ? d.toISOString().slice(0, 10) : typeof d === 'string' ? d.slice(0, 10) : null;

function pastDate(label: string, value: string, errors: string[]): string | null {
  const iso = parseFrenchDate(value.trim());
  if (!iso) errors.push(`${label} « ${value} » invalide (JJ/MM/AAAA attendu)`);
  else if (iso > today()) errors.push(`${label} dans le futur`);
  return iso;
}

const audit = (database: Database, action: string, org: string, actor: ReadinessActor, details: object) =>
  appendEvent(database, {
    action,
    outcome: 'success',
    actor: { kind: 'professional', id: actor.id },
    structureFiness: org,
    mie: { means: actor.means },
    subject: { type: 'organisation', id: org },
    details: { ...details },
  });

export async function listContracts(database: Database, finessEj: string): Promise<Contract[]> {
  const rows = await sql<{
    id: number;
    level: 'EJ' | 'EG';
    finess: string;
    representant_legal: string;
    signed_on: unknown;
    cde_received_on: unknown;
  }>`select * from org_contract where finess_ej = ${finessEj} order by signed_on, id`.execute(database.db);
  return rows.rows.map((r) => ({
    id: r.id,
    level: r.level,
    finess: r.finess,
    representantLegal: r.representant_legal,
    signedOn: toIso(r.signed_on) ?? '',
    cdeReceivedOn: toIso(r.cde_received_on),
  }));
}

export async function addContract(
  database: Database,
  org: Organisation,
  input: {
    level: string;
    finess: string;
    representantLegal: string;
    signedOn: string;
    cdeReceivedOn: string;
  },
  actor: ReadinessActor,
): Promise<void> {
  const errors: string[] = [];
  const level = input.level === 'EG' ? 'EG' : 'EJ';
  const finess = level === 'EJ' ? org.finessEj : input.finess.trim();
  if (level === 'EG' && !org.establishments.some((e) => e.finess === finess))
    errors.push(`FINESS ${finess || '(vide)'} : ce n’est pas un établissement de l’organisme`);
  const rep = input.representantLegal.trim();
  if (!rep) errors.push('représentant légal manquant');
  else if (rep.length > 100) errors.push('représentant légal trop long');
  const signedOn = pastDate('date de signature', input.signedOn, errors);
  const cde = input.cdeReceivedOn.trim()
    ? pastDate('date de réception de la CDE', input.cdeReceivedOn, errors)
    : null;
  if (signedOn && cde && cde < signedOn) errors.push('carte CDE reçue avant la signature du contrat');
  if (errors.length > 0 || !signedOn) throw new ReadinessError(`Contrat refusé : ${errors.join(' ; ')}.`);
  await sql`insert into org_contract (finess_ej, level, finess, representant_legal, signed_on, cde_received_on)
    values (${org.finessEj}, ${level}, ${finess}, ${rep}, ${signedOn}, ${cde})`.execute(database.db);
  await audit(database, 'readiness.contract.add', org.finessEj, actor, { level, finess, cde: cde !== null });
}

export async function recordCde(
  database: Database,
  org: Organisation,
  contractId: number,
  receivedOn: string,
  actor: ReadinessActor,
): Promise<void> {
  const errors: string[] = [];
  const date = pastDate('date de réception de la CDE', receivedOn, errors);
  if (!date) throw new ReadinessError(`Carte CDE refusée : ${errors.join(' ; ')}.`);
  const contract = (await listContracts(database, org.finessEj)).find((c) => c.id === contractId);
  if (!contract) throw new ReadinessError('Contrat inconnu pour cet organisme.', 404);
  if (date < contract.signedOn)
    throw new ReadinessError('Carte CDE refusée : reçue avant la signature du contrat.');
  await sql`update org_contract set cde_received_on = ${date} where id = ${contractId}`.execute(database.db);
  await audit(database, 'readiness.contract.cde', org.finessEj, actor, { contract: contractId });
}

interface RoleRow {
  id: number;
  finess_eg: string | null;
  role: Role;
  person: string;
  email: string | null;
  card: Card;
  health_professional: boolean;
  editor_staff: boolean;
  declared_via: DeclaredVia | null;
  declared_on: unknown;
}

export async function listRoles(database: Database, finessEj: string): Promise<RoleHolder[]> {
  const rows =
    await sql<RoleRow>`select * from org_role where finess_ej = ${finessEj} order by role, id`.execute(
      database.db,
    );
  return rows.rows.map((r) => ({
    id: r.id,
    finessEg: r.finess_eg,
    role: r.role,
    person: r.person,
    email: r.email,
    card: r.card,
    healthProfessional: r.health_professional,
    editorStaff: r.editor_staff,
    declaredVia: r.declared_via,
    declaredOn: toIso(r.declared_on),
  }));
}

export interface RoleInput {
  role: string;
  finessEg: string;
  person: string;
  email: string;
  card: string;
  healthProfessional: boolean;
  editorStaff: boolean;
  declaredVia: string;
  declaredOn: string;
}

export async function addRole(
  database: Database,
  org: Organisation,
  input: RoleInput,
  actor: ReadinessActor,
): Promise<void> {
  const errors: string[] = [];
  const role = roles.find((r) => r === input.role);
  if (!role) errors.push(`profil « ${input.role} » inconnu`);
  const eg = input.finessEg.trim() || null;
  if (eg && !org.establishments.some((e) => e.finess === eg))
    errors.push(`FINESS ${eg} : ce n’est pas un établissement de l’organisme`);
  const person = input.person.trim();
  if (!person) errors.push('nom de la personne manquant');
  else if (person.length > 100) errors.push('nom de la personne trop long');
  const email = input.email.trim() || null;
  if (email && !/^[^\s@]{1,64}@[^\s@]{1,250}\.[A-Za-z]{2,}$/.test(email))
    errors.push(`adresse « ${email} » invalide`);
  const card = cards.find((c) => c === input.card);
  if (!card) errors.push(`carte « ${input.card} » inconnue`);
  if (input.editorStaff && role !== 'admin-tech')
    errors.push('seul un administrateur technique peut être un salarié de l’éditeur');
  if (input.editorStaff && card && card !== 'CPA' && card !== 'aucune')
    errors.push('un salarié de l’éditeur agit avec une carte CPA');
  const via = input.declaredVia.trim() || null;
  let declaredOn: string | null = null;
  if (via) {
    if (!role || !declarationMeans[role].includes(via as DeclaredVia))
      errors.push(`un ${role ? roleLabels[role].toLowerCase() : 'profil'} ne se déclare pas par ${via}`);
    declaredOn = pastDate('date de déclaration', input.declaredOn || '', errors);
    if (card === 'aucune' && !input.editorStaff)
      errors.push('une personne sans carte (CPx ou e-CPS) ne peut pas encore être déclarée');
  } else if (input.declaredOn.trim()) errors.push('date de déclaration sans moyen de déclaration');
  if (errors.length > 0 || !role || !card) throw new ReadinessError(`Profil refusé : ${errors.join(' ; ')}.`);
  await sql`insert into org_role (finess_ej, finess_eg, role, person, email, card, health_professional,
      editor_staff, declared_via, declared_on)
    values (${org.finessEj}, ${eg}, ${role}, ${person}, ${email}, ${card}, ${input.healthProfessional},
      ${input.editorStaff}, ${via}, ${declaredOn})`.execute(database.db);
  await audit(database, 'readiness.role.add', org.finessEj, actor, { role, eg, card, declaredVia: via });
}

export async function declareRole(
  database: Database,
  org: Organisation,
  id: number,
  via: string,
  on: string,
  actor: ReadinessActor,
): Promise<void> {
  const holder = (await listRoles(database, org.finessEj)).find((r) => r.id === id);
  if (!holder) throw new ReadinessError('Profil inconnu pour cet organisme.', 404);
  const errors: string[] = [];
  if (!declarationMeans[holder.role].includes(via as DeclaredVia))
    errors.push(`un ${roleLabels[holder.role].toLowerCase()} ne se déclare pas par ${via}`);
  if (holder.card === 'aucune' && !holder.editorStaff)
    errors.push(`${holder.person} n’a pas encore de carte (CPx ou e-CPS)`);
  const date = pastDate('date de déclaration', on, errors);
  if (errors.length > 0 || !date) throw new ReadinessError(`Déclaration refusée : ${errors.join(' ; ')}.`);
  await sql`update org_role set declared_via = ${via}, declared_on = ${date} where id = ${id}`.execute(
    database.db,
  );
  await audit(database, 'readiness.role.declare', org.finessEj, actor, {
    role: holder.role,
    declaredVia: via,
  });
}

export async function removeRole(
  database: Database,
  org: Organisation,
  id: number,
  actor: ReadinessActor,
): Promise<void> {
  const result = await sql`delete from org_role where id = ${id} and finess_ej = ${org.finessEj}`.execute(
    database.db,
  );
  if (Number(result.numAffectedRows ?? 0) === 0)
    throw new ReadinessError('Profil inconnu pour cet organisme.', 404);
  await audit(database, 'readiness.role.remove', org.finessEj, actor, { role: id });
}
