import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { appendEvent } from '../audit/append.ts';
import type { Database } from '../db/connect.ts';
import type { Organisation, ReadinessActor } from './organisations.ts';
import { ReadinessError } from './organisations.ts';
import { type Authority, registrationAuthority } from './registration.ts';
import { parseStaffCsv, type StaffCard, type StaffError, type StaffInput } from './staff-input.ts';

/** A member of staff with what the directory mirror knows of them. */
export interface StaffMember extends StaffInput {
  id: string;
  idNatSource: 'saisi' | 'annuaire' | null;
  authority: Authority;
  /** The idNat_PS is an active professional of the directory. */
  inDirectory: boolean;
  /** Personal (PER) MSSanté mailboxes found in the directory. */
  mailboxes: string[];
}

export class StaffImportError extends ReadinessError {
  constructor(readonly lines: StaffError[]) {
    super(`Fichier refusé : ${lines.length} erreur(s), rien n’a été enregistré.`);
    this.name = 'StaffImportError';
  }
}

const newId = () => `stf_${randomBytes(9).toString('base64url')}`;
const toIso = (d: unknown) =>
  d instanceof Date ? d.toISOString().slice(0, 10) : typeof d === 'string' ? d.slice(0, 10) : null;

async function upsert(database: Database, finessEj: string, staff: StaffInput[]) {
  let created = 0;
  await database.db.transaction().execute(async (trx) => {
    for (const s of staff) {
      const r = await sql<{
        inserted: boolean;
      }>`insert into org_staff (id, finess_ej, matricule, finess_eg, nom,
          prenom, fonction, start_date, end_date, email, mobile, id_nat, id_nat_source, card, e_cps_active,
          card_agent)
        values (${newId()}, ${finessEj}, ${s.matricule}, ${s.finessEg}, ${s.nom}, ${s.prenom}, ${s.fonction},
          ${s.startDate}, ${s.endDate}, ${s.email}, ${s.mobile}, ${s.idNat}, ${s.idNat ? 'saisi' : null}, ${s.card},
          ${s.eCpsActive}, ${s.cardAgent})
        on conflict (finess_ej, matricule) do update set finess_eg = excluded.finess_eg, nom = excluded.nom,
          prenom = excluded.prenom, fonction = excluded.fonction, start_date = excluded.start_date,
          end_date = excluded.end_date, email = excluded.email, mobile = excluded.mobile,
          id_nat = coalesce(excluded.id_nat, case when org_staff.id_nat_source = 'annuaire' then org_staff.id_nat end),
          id_nat_source = case when excluded.id_nat is not null then 'saisi'
            when org_staff.id_nat_source = 'annuaire' then 'annuaire' end,
          card = excluded.card, e_cps_active = excluded.e_cps_active, card_agent = excluded.card_agent,
          updated_at = now()
        returning (xmax = 0) as inserted`.execute(trx);
      if (r.rows[0]?.inserted) created += 1;
    }
  });
  return { created, updated: staff.length - created };
}

/**
 * Finds the RPPS/ADELI number of staff entered without one: an active activity of the directory at their EG
 * under the same nom and prénom d'exercice (accents and case ignored), when exactly one professional fits.
 */
export async function matchStaffToDirectory(database: Database, finessEj: string): Promise<number> {
  const r = await sql`update org_staff s set id_nat = m.id_nat, id_nat_source = 'annuaire', updated_at = now()
    from (
      select s2.id, min(a.id_nat) as id_nat
      from org_staff s2
      join dir_activity a on a.finess_site = s2.finess_eg and a.active
        and dir_norm(a.nom_exercice) = dir_norm(s2.nom) and dir_norm(a.prenom_exercice) = dir_norm(s2.prenom)
      where s2.finess_ej = ${finessEj} and s2.id_nat is null
      group by s2.id
      having count(distinct a.id_nat) = 1
    ) m
    where m.id = s.id`.execute(database.db);
  return Number(r.numAffectedRows ?? 0);
}

export interface StaffImportReport {
  created: number;
  updated: number;
  matched: number;
}

const auditImport = (
  database: Database,
  finessEj: string,
  actor: ReadinessActor,
  outcome: 'success' | 'failure',
  details: Record<string, unknown>,
) =>
  appendEvent(database, {
    action: 'readiness.staff.import',
    outcome,
    actor: { kind: 'professional', id: actor.id },
    structureFiness: finessEj,
    mie: { means: actor.means },
    subject: { type: 'organisation', id: finessEj },
    details,
  });

/** Imports the employer's staff file: all lines or none; then looks for the numbers in the directory. */
export async function importStaffCsv(
  database: Database,
  org: Organisation,
  text: string,
  actor: ReadinessActor,
): Promise<StaffImportReport> {
  const { staff, errors } = parseStaffCsv(text, new Set(org.establishments.map((e) => e.finess)));
  if (errors.length > 0) {
    await auditImport(database, org.finessEj, actor, 'failure', {
      errors: errors.length,
      lines: staff.length,
    });
    throw new StaffImportError(errors);
  }
  return saveStaff(database, org, staff, actor);
}

export async function saveStaff(
  database: Database,
  org: Organisation,
  staff: StaffInput[],
  actor: ReadinessActor,
): Promise<StaffImportReport> {
  const counts = await upsert(database, org.finessEj, staff);
  const matched = await matchStaffToDirectory(database, org.finessEj);
  await auditImport(database, org.finessEj, actor, 'success', { ...counts, matched });
  return { ...counts, matched };
}

interface StaffRow {
  id: string;
  matricule: string;
  finess_eg: string;
  nom: string;
  prenom: string;
  fonction: string;
  start_date: unknown;
  end_date: unknown;
  email: string | null;
  mobile: string | null;
  id_nat: string | null;
  id_nat_source: 'saisi' | 'annuaire' | null;
  card: StaffCard;
  e_cps_active: boolean;
  card_agent: boolean;
  in_directory: boolean;
  mailboxes: string[] | null;
}

/** The registry of an organisme (or one EG), with directory presence and mailboxes, in one query. */
export async function listStaff(
  database: Database,
  finessEj: string,
  finessEg: string | null = null,
): Promise<StaffMember[]> {
  const rows = await sql<StaffRow>`select s.*,
      exists (select 1 from dir_professional p where p.id_nat = s.id_nat and p.active) as in_directory,
      (select array_agg(m.adresse order by m.adresse) from dir_mailbox m
        where m.id_nat = s.id_nat and m.type = 'PER' and m.active) as mailboxes
    from org_staff s
    where s.finess_ej = ${finessEj} and (${finessEg}::text is null or s.finess_eg = ${finessEg})
    order by s.finess_eg, s.nom, s.prenom, s.matricule`.execute(database.db);
  return rows.rows.map((r) => ({
    id: r.id,
    matricule: r.matricule,
    finessEg: r.finess_eg,
    nom: r.nom,
    prenom: r.prenom,
    fonction: r.fonction,
    startDate: toIso(r.start_date) ?? '',
    endDate: toIso(r.end_date),
    email: r.email,
    mobile: r.mobile,
    idNat: r.id_nat,
    idNatSource: r.id_nat_source,
    card: r.card,
    eCpsActive: r.e_cps_active,
    cardAgent: r.card_agent,
    authority: registrationAuthority(r.fonction),
    inDirectory: r.in_directory,
    mailboxes: r.mailboxes ?? [],
  }));
}
