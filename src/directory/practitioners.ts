import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/connect.ts';
import { byteOrder, startsWith } from './fhir/search.ts';

/** What the console and the REST API search on; every criterion is optional, all given ones must hold. */
export interface PractitionerCriteria {
  /** Start of the nom d'exercice (accent- and case-insensitive), an RPPS (11 digits) or an idNat_PS. */
  q?: string;
  profession?: string;
  departement?: string;
  finess?: string;
  /** Start of an MSSanté address. */
  mailbox?: string;
}

export interface PractitionerSummary {
  idNat: string;
  idType: string | null;
  ppId: string | null;
  nom: string | null;
  prenom: string | null;
  professions: string | null;
  communes: string | null;
}

export interface PractitionerPage {
  items: PractitionerSummary[];
  /** Opaque cursor of the next page, or null. */
  next: string | null;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, '\\$&');

/** Where a page ends, in the listing's order: normalised name (null last), normalised first name, idNat_PS. */
type Position = [string | null, string, string];

function encode(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** A cursor that does not decode is treated as the first page rather than an error: it is only a bookmark. */
function decode(cursor: string | undefined): Position | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(value) &&
      value.length === 3 &&
      (value[0] === null || typeof value[0] === 'string') &&
      typeof value[1] === 'string' &&
      typeof value[2] === 'string'
      ? (value as Position)
      : null;
  } catch {
    return null;
  }
}

/**
 * Active professionals matching the criteria, by name then first name, accent- and case-insensitive (keyset pages).
 * Activity criteria (profession, département, FINESS) hold on one same situation d'exercice. The order is that of
 * the normalised-name index (migration 0019), walked until a page is full: sorting every match first took 1.4 s
 * for a profession or a département of a national directory.
 */
export async function findPractitioners(
  database: Database,
  criteria: PractitionerCriteria,
  options: { limit?: number; cursor?: string } = {},
): Promise<PractitionerPage> {
  const limit = options.limit ?? 50;
  const conditions: RawBuilder<unknown>[] = [sql`p.active`];
  const q = criteria.q?.trim();
  if (q) {
    const byId = /^\d{11}$/.test(q) ? `8${q}` : /^[08]\d{9,11}$/.test(q) ? q : null;
    conditions.push(byId ? sql`p.id_nat = ${byId}` : startsWith(byteOrder(sql`p.nom_norm`), q));
  }
  const activity: RawBuilder<unknown>[] = [];
  if (criteria.profession) activity.push(sql`a.profession_code = ${criteria.profession}`);
  if (criteria.departement) activity.push(sql`a.departement_code = ${criteria.departement}`);
  if (criteria.finess)
    activity.push(sql`(a.finess_site = ${criteria.finess} or a.finess_ej = ${criteria.finess})`);
  if (activity.length > 0)
    conditions.push(
      sql`exists (select 1 from dir_activity a where a.id_nat = p.id_nat and a.active and ${sql.join(activity, sql` and `)})`,
    );
  if (criteria.mailbox?.trim())
    conditions.push(
      sql`p.id_nat in (select m.id_nat from dir_mailbox m where m.active and dir_norm(m.adresse) like dir_norm(${escapeLike(criteria.mailbox.trim())}) || '%')`,
    );
  const after = decode(options.cursor);
  const given = sql`(coalesce(p.prenom_norm, '') collate "C")`;
  const page = (where: RawBuilder<unknown>[], order: RawBuilder<unknown>, rows: number) =>
    sql<PractitionerSummary & { sortNom: string | null; sortPrenom: string }>`
      select p.id_nat as "idNat", p.id_type as "idType", p.pp_id as "ppId", p.nom_exercice as nom,
        p.prenom_exercice as prenom, p.nom_norm as "sortNom", coalesce(p.prenom_norm, '') as "sortPrenom",
        (select string_agg(distinct a.profession, ', ') from dir_activity a where a.id_nat = p.id_nat and a.active) as professions,
        (select string_agg(distinct a.commune, ', ') from dir_activity a where a.id_nat = p.id_nat and a.active) as communes
      from dir_professional p
      where ${sql.join([...conditions, ...where], sql` and `)}
      order by ${order}
      limit ${rows}`
      .execute(database.db)
      .then((r) => r.rows);
  // Named professionals in the index's order, then (never seen in the extractions, but the column allows it) those
  // without a nom d'exercice: two statements, so that the first stays a range scan of the index.
  const rows =
    after && after[0] === null
      ? []
      : await page(
          after
            ? [
                sql`(p.nom_norm collate "C") >= ${after[0]}`,
                sql`((p.nom_norm collate "C"), ${given}, p.id_nat) > (${after[0]} collate "C", ${after[1]} collate "C", ${after[2]})`,
              ]
            : [sql`p.nom_norm is not null`],
          sql`p.nom_norm collate "C", ${given}, p.id_nat`,
          limit + 1,
        );
  if (rows.length <= limit)
    rows.push(
      ...(await page(
        after && after[0] === null
          ? [sql`p.nom_norm is null`, sql`(${given}, p.id_nat) > (${after[1]} collate "C", ${after[2]})`]
          : [sql`p.nom_norm is null`],
        sql`${given}, p.id_nat`,
        limit + 1 - rows.length,
      )),
    );
  const last = rows[limit - 1];
  const items = rows.slice(0, limit).map(({ sortNom, sortPrenom, ...item }) => item);
  return {
    items,
    next: rows.length > limit && last ? encode([last.sortNom, last.sortPrenom, last.idNat]) : null,
  };
}

export interface PractitionerDetail {
  idNat: string;
  idType: string | null;
  ppId: string | null;
  civilite: string | null;
  civiliteExercice: string | null;
  nom: string | null;
  prenom: string | null;
  active: boolean;
  changedAt: Date;
  activities: Array<{
    profession: string | null;
    categorie: string | null;
    mode: string | null;
    role: string | null;
    genre: string | null;
    secteur: string | null;
    structure: string | null;
    finess: string | null;
    finessEj: string | null;
    siret: string | null;
    structureId: string | null;
    /** The Organization the FHIR API serves for this structure (a FINESS structure or a cabinet), if any. */
    organization: string | null;
    adresse: string | null;
    codePostal: string | null;
    commune: string | null;
    telephone: string | null;
    categorieEtablissement: string | null;
  }>;
  savoirFaire: Array<{ type: string | null; libelle: string | null; code: string | null }>;
  diplomas: Array<{
    libelle: string | null;
    type: string | null;
    autorisation: string | null;
    discipline: string | null;
  }>;
  mailboxes: Array<{ adresse: string; type: string | null; structure: string | null }>;
}

/** Everything the mirror knows of one professional, for the console's practitioner page. */
export async function practitionerDetail(
  database: Database,
  idNat: string,
): Promise<PractitionerDetail | null> {
  const db = database.db;
  const person = (
    await sql<Omit<PractitionerDetail, 'activities' | 'savoirFaire' | 'diplomas' | 'mailboxes'>>`
      select id_nat as "idNat", id_type as "idType", pp_id as "ppId", civilite, civilite_exercice as "civiliteExercice",
        nom_exercice as nom, prenom_exercice as prenom, active, changed_at as "changedAt"
      from dir_professional where id_nat = ${idNat}`.execute(db)
  ).rows[0];
  if (!person) return null;
  const [activities, savoirFaire, diplomas, mailboxes] = await Promise.all([
    sql<PractitionerDetail['activities'][number]>`
      select a.profession, a.categorie, a.mode, a.role, a.genre, a.secteur,
        coalesce(s.raison_sociale, a.raison_sociale, a.enseigne) as structure, a.finess_site as finess,
        coalesce(a.finess_ej, s.finess_ej) as "finessEj", a.siret, a.structure_id as "structureId",
        coalesce(s.finess, c.structure_id) as organization,
        nullif(concat_ws(' ', a.numero_voie, a.indice_repetition, a.type_voie, a.libelle_voie), '') as adresse,
        a.code_postal as "codePostal", a.commune, coalesce(a.telephone, s.telephone) as telephone,
        s.categorie as "categorieEtablissement"
      from dir_activity a left join dir_structure s on s.finess = a.finess_site
        left join dir_cabinet c on a.finess_site is null and c.structure_id = a.structure_id
      where a.id_nat = ${idNat} and a.active order by a.profession, structure`.execute(db),
    sql<PractitionerDetail['savoirFaire'][number]>`
      select type, libelle, code from dir_savoir_faire where id_nat = ${idNat} and active order by type, libelle`.execute(
      db,
    ),
    sql<PractitionerDetail['diplomas'][number]>`
      select diplome as libelle, type_diplome as type, type_autorisation as autorisation, discipline
      from dir_diploma where id_nat = ${idNat} and active order by key`.execute(db),
    sql<PractitionerDetail['mailboxes'][number]>`
      select m.adresse, m.type, coalesce(m.raison_sociale, m.structure_id) as structure
      from dir_mailbox m where m.id_nat = ${idNat} and m.active order by m.adresse`.execute(db),
  ]);
  return {
    ...person,
    activities: activities.rows,
    savoirFaire: savoirFaire.rows,
    diplomas: diplomas.rows,
    mailboxes: mailboxes.rows,
  };
}
