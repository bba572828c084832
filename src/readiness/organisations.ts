import { sql } from 'kysely';
import { appendEvent } from '../audit/append.ts';
import type { ServiceProfile } from '../auth/policy/sensitive.ts';
import type { Database } from '../db/connect.ts';
import { isFiness } from '../directory/identifiers.ts';
import type { EgFacts } from './engine.ts';
import type { FinessRecord } from './finess-check.ts';

/** Who acts in the prerequisites console, for the audit trail. */
export interface ReadinessActor {
  id: string;
  means: string;
}

export class ReadinessError extends Error {
  override name = 'ReadinessError';
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Editor = EgFacts['editor'] & { name: string };

export interface EstablishmentSettings {
  identityCharter: boolean;
  autoHomologation: boolean;
  documentsIdentified: boolean;
  usagersInformed: boolean;
  consentCollected: boolean;
  mssOperator: string | null;
  mssPartnersIdentified: boolean;
}

export interface Establishment extends EstablishmentSettings {
  finess: string;
  /** The directory's record; null when the site is no longer in the directory at all. */
  record: FinessRecord | null;
}

export interface Organisation {
  finessEj: string;
  raisonSociale: string;
  siret: string | null;
  legalRepActsAlone: boolean;
  rppsPlusMode: 'centralise' | 'par-eg';
  editor: Editor;
  dui: ServiceProfile;
  alertEmails: string[];
  establishments: Establishment[];
}

export const defaultEditor: Editor = {
  name: '',
  insWithCertificate: false,
  dmpWithCertificate: false,
  supportsPsc: false,
};

export const defaultDui: ServiceProfile = {
  processesHealthData: true,
  shared: false,
  integratesShared: true,
  externalAccess: false,
  newUsagersPerYear: 0,
  professionalsPerYear: 0,
};

interface StructureRow {
  finess: string;
  finess_ej: string | null;
  raison_sociale: string | null;
  categorie_code: string | null;
  categorie: string | null;
  voie: string | null;
  code_postal: string | null;
  commune: string | null;
  departement: string | null;
  telephone: string | null;
  siret: string | null;
  active: boolean;
  deactivated_at: Date | null;
}

const toRecord = (r: StructureRow): FinessRecord => ({
  finess: r.finess,
  finessEj: r.finess_ej,
  raisonSociale: r.raison_sociale,
  categorieCode: r.categorie_code,
  categorie: r.categorie,
  voie: r.voie,
  codePostal: r.code_postal,
  commune: r.commune,
  departement: r.departement,
  telephone: r.telephone,
  siret: r.siret,
  active: r.active,
  deactivatedAt: r.deactivated_at,
});

const structureColumns = sql`s.finess, s.finess_ej, s.raison_sociale, s.categorie_code, s.categorie, s.voie,
  s.code_postal, s.commune, s.departement, s.telephone, s.siret, s.active, s.deactivated_at`;

/** The EGs of an EJ in the directory, open or closed, found from the EJ's FINESS or one of its EGs'. */
export async function establishmentsInDirectory(
  database: Database,
  finess: string,
): Promise<{ finessEj: string; records: FinessRecord[] }> {
  if (!isFiness(finess)) throw new ReadinessError(`« ${finess} » n’est pas un numéro FINESS (9 caractères).`);
  const site = await sql<{
    finess_ej: string | null;
  }>`select finess_ej from dir_structure where finess = ${finess}`
    .execute(database.db)
    .then((r) => r.rows[0]);
  const ej = site?.finess_ej ?? finess;
  const rows = await sql<StructureRow>`select ${structureColumns} from dir_structure s
    where s.finess_ej = ${ej} order by s.finess`.execute(database.db);
  if (rows.rows.length === 0)
    throw new ReadinessError(
      `FINESS ${finess} inconnu de l’annuaire : vérifiez le numéro, ou importez l’annuaire (confiance directory import).`,
      404,
    );
  return { finessEj: ej, records: rows.rows.map(toRecord) };
}

/** Starts following an organisme gestionnaire: its EGs come from the directory. */
export async function createOrganisation(
  database: Database,
  input: { finess: string; raisonSociale?: string | null; siret?: string | null },
  actor: ReadinessActor,
): Promise<Organisation> {
  const { finessEj, records } = await establishmentsInDirectory(database, input.finess.trim());
  const siret = input.siret?.trim() || null;
  if (siret && !/^\d{14}$/.test(siret))
    throw new ReadinessError(`SIRET « ${siret} » invalide (14 chiffres).`);
  const exists = await sql`select 1 from org_organisation where finess_ej = ${finessEj}`.execute(database.db);
  if (exists.rows.length > 0) throw new ReadinessError(`L’organisme ${finessEj} est déjà suivi.`, 409);
  const name = input.raisonSociale?.trim() || `Organisme gestionnaire ${finessEj}`;
  await database.db.transaction().execute(async (trx) => {
    await sql`insert into org_organisation (finess_ej, raison_sociale, siret, editor, dui)
      values (${finessEj}, ${name}, ${siret}, ${JSON.stringify(defaultEditor)}::jsonb, ${JSON.stringify(defaultDui)}::jsonb)`.execute(
      trx,
    );
    for (const r of records)
      await sql`insert into org_establishment (finess, finess_ej) values (${r.finess}, ${finessEj})
        on conflict (finess) do nothing`.execute(trx);
  });
  await appendEvent(database, {
    action: 'readiness.organisation.create',
    outcome: 'success',
    actor: { kind: 'professional', id: actor.id },
    structureFiness: finessEj,
    mie: { means: actor.means },
    subject: { type: 'organisation', id: finessEj },
    details: { establishments: records.length },
  });
  return getOrganisation(database, finessEj);
}

interface OrganisationRow {
  finess_ej: string;
  raison_sociale: string;
  siret: string | null;
  legal_rep_acts_alone: boolean;
  rpps_plus_mode: 'centralise' | 'par-eg';
  editor: Editor;
  dui: ServiceProfile;
  alert_emails: string[];
}

interface EstablishmentRow extends Partial<StructureRow> {
  eg: string;
  identity_charter: boolean;
  auto_homologation: boolean;
  documents_identified: boolean;
  usagers_informed: boolean;
  consent_collected: boolean;
  mss_operator: string | null;
  mss_partners_identified: boolean;
}

const parseJson = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

export async function getOrganisation(database: Database, finessEj: string): Promise<Organisation> {
  const org = await sql<OrganisationRow>`select * from org_organisation where finess_ej = ${finessEj}`
    .execute(database.db)
    .then((r) => r.rows[0]);
  if (!org) throw new ReadinessError(`Aucun organisme suivi sous le FINESS ${finessEj}.`, 404);
  const egs = await sql<EstablishmentRow>`select e.finess as eg, e.identity_charter, e.auto_homologation,
      e.documents_identified, e.usagers_informed, e.consent_collected, e.mss_operator, e.mss_partners_identified,
      ${structureColumns}
    from org_establishment e left join dir_structure s on s.finess = e.finess
    where e.finess_ej = ${finessEj} order by e.finess`.execute(database.db);
  return {
    finessEj: org.finess_ej,
    raisonSociale: org.raison_sociale,
    siret: org.siret,
    legalRepActsAlone: org.legal_rep_acts_alone,
    rppsPlusMode: org.rpps_plus_mode,
    editor: { ...defaultEditor, ...parseJson(org.editor) },
    dui: { ...defaultDui, ...parseJson(org.dui) },
    alertEmails: org.alert_emails,
    establishments: egs.rows.map((r) => ({
      finess: r.eg,
      record: r.finess ? toRecord(r as StructureRow) : null,
      identityCharter: r.identity_charter,
      autoHomologation: r.auto_homologation,
      documentsIdentified: r.documents_identified,
      usagersInformed: r.usagers_informed,
      consentCollected: r.consent_collected,
      mssOperator: r.mss_operator,
      mssPartnersIdentified: r.mss_partners_identified,
    })),
  };
}

export async function listOrganisations(
  database: Database,
): Promise<Array<{ finessEj: string; raisonSociale: string; establishments: number }>> {
  const rows = await sql<{ finess_ej: string; raison_sociale: string; n: number }>`
    select o.finess_ej, o.raison_sociale, count(e.finess)::int as n
    from org_organisation o left join org_establishment e on e.finess_ej = o.finess_ej
    group by o.finess_ej, o.raison_sociale order by o.raison_sociale`.execute(database.db);
  return rows.rows.map((r) => ({
    finessEj: r.finess_ej,
    raisonSociale: r.raison_sociale,
    establishments: r.n,
  }));
}

/** What the settings form changes: the organisation without its identifier and its EGs. */
export type OrganisationSettings = Omit<Organisation, 'finessEj' | 'establishments'>;

const emailPattern = /^[^\s@"<>,;]{1,64}@[A-Za-z0-9.-]{1,250}\.[A-Za-z]{2,}$/;

export async function updateOrganisation(
  database: Database,
  finessEj: string,
  s: OrganisationSettings,
  actor: ReadinessActor,
): Promise<void> {
  const errors: string[] = [];
  if (!s.raisonSociale.trim()) errors.push('raison sociale manquante');
  if (s.siret && !/^\d{14}$/.test(s.siret)) errors.push(`SIRET « ${s.siret} » invalide (14 chiffres)`);
  for (const e of s.alertEmails) if (!emailPattern.test(e)) errors.push(`adresse d’alerte « ${e} » invalide`);
  for (const [k, v] of [
    ['nouveaux usagers par an', s.dui.newUsagersPerYear],
    ['professionnels distincts par an', s.dui.professionalsPerYear],
  ] as const)
    if (!Number.isInteger(v) || v < 0 || v > 10_000_000) errors.push(`${k} : nombre entier positif attendu`);
  if (errors.length > 0) throw new ReadinessError(`Paramètres refusés : ${errors.join(' ; ')}.`);
  const result = await sql`update org_organisation set raison_sociale = ${s.raisonSociale.trim()},
      siret = ${s.siret}, legal_rep_acts_alone = ${s.legalRepActsAlone}, rpps_plus_mode = ${s.rppsPlusMode},
      editor = ${JSON.stringify(s.editor)}::jsonb, dui = ${JSON.stringify(s.dui)}::jsonb,
      alert_emails = ${s.alertEmails}, updated_at = now()
    where finess_ej = ${finessEj}`.execute(database.db);
  if (Number(result.numAffectedRows ?? 0) === 0)
    throw new ReadinessError(`Aucun organisme suivi sous le FINESS ${finessEj}.`, 404);
  await appendEvent(database, {
    action: 'readiness.organisation.update',
    outcome: 'success',
    actor: { kind: 'professional', id: actor.id },
    structureFiness: finessEj,
    mie: { means: actor.means },
    subject: { type: 'organisation', id: finessEj },
    details: { editor: s.editor.name, alerts: s.alertEmails.length },
  });
}

export async function updateEstablishment(
  database: Database,
  finessEj: string,
  finess: string,
  s: EstablishmentSettings,
  actor: ReadinessActor,
): Promise<void> {
  const operator = s.mssOperator?.trim() || null;
  if (operator && operator.length > 100) throw new ReadinessError('Nom d’opérateur MSSanté trop long.');
  const result = await sql`update org_establishment set identity_charter = ${s.identityCharter},
      auto_homologation = ${s.autoHomologation}, documents_identified = ${s.documentsIdentified},
      usagers_informed = ${s.usagersInformed}, consent_collected = ${s.consentCollected},
      mss_operator = ${operator}, mss_partners_identified = ${s.mssPartnersIdentified}, updated_at = now()
    where finess = ${finess} and finess_ej = ${finessEj}`.execute(database.db);
  if (Number(result.numAffectedRows ?? 0) === 0)
    throw new ReadinessError(`L’établissement ${finess} n’appartient pas à l’organisme ${finessEj}.`, 404);
  await appendEvent(database, {
    action: 'readiness.establishment.update',
    outcome: 'success',
    actor: { kind: 'professional', id: actor.id },
    structureFiness: finess,
    mie: { means: actor.means },
    subject: { type: 'establishment', id: finess },
    details: { ...s, mssOperator: operator },
  });
}
