import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/connect.ts';
import { currentSnapshot } from '../snapshot.ts';
import { type Cursor, decodeCursor, invalidPage } from './cursor.ts';
import { lookUpPractitioners } from './lookup.ts';
import type { Filter, ResourceType, SearchRequest, Token } from './params.ts';
import {
  equipmentRowsWhere,
  type Fetched,
  fetchers,
  keyArray,
  list,
  organizationRows,
  practitionerResources,
  type Resource,
  resourceObject,
  roleRowsWhere,
} from './rows.ts';
import { codeSystem, identifierSystem, profile } from './systems.ts';

type Condition = RawBuilder<unknown>;

/**
 * Up to this many matches the default `_total=estimate` counts them; beyond, it gives PostgreSQL's own estimate
 * (what FHIR's `estimate` allows): counting tens of thousands of name matches cost as much as the search itself.
 */
const countUpTo = 1_000;
/** Included resources per page, at most; past it an OperationOutcome says they were cut. */
export const maxIncluded = 1000;

export interface SearchResult {
  matches: Resource[];
  included: Resource[];
  total: number | null;
  next: Cursor | null;
  warnings: string[];
}

const and = (conditions: Condition[]): Condition =>
  conditions.length === 0 ? sql`true` : sql`(${sql.join(conditions, sql` and `)})`;
const or = (conditions: Condition[]): Condition =>
  conditions.length === 0 ? sql`false` : sql`(${sql.join(conditions, sql` or `)})`;

const escapeLike = (value: string) => value.replace(/[\\%_]/g, '\\$&');

/** One string parameter's alternatives on columns: prefix and `:contains` ignore case and accents, `:exact` not. */
function stringMatch(
  columns: Condition[],
  match: 'prefix' | 'contains' | 'exact',
  values: string[],
): Condition {
  return or(
    values.flatMap((value) =>
      columns.map((column) => {
        if (match === 'exact') return sql`${column} = ${value}`;
        const pattern = escapeLike(value.trim());
        return match === 'prefix'
          ? sql`dir_norm(${column}) like dir_norm(${pattern}) || '%'`
          : sql`dir_norm(${column}) like '%' || dir_norm(${pattern}) || '%'`;
      }),
    ),
  );
}

const codes = (values: Token[]) => values.map((v) => v.code).filter((c): c is string => c !== undefined);
const inList = (column: Condition, values: string[]): Condition =>
  values.length === 0 ? sql`false` : sql`${column} in (${sql.join(values)})`;

/** Bounds of a `_lastUpdated` filter: rows whose newest part changed at or after `since`, and before `until`. */
function dateBounds(filter: Extract<Filter, { type: 'date' }>): { since: Date; until: Date | null } {
  if (filter.prefix === 'ge') return { since: filter.from, until: null };
  if (filter.prefix === 'gt') return { since: filter.to, until: null };
  return { since: filter.from, until: filter.to };
}

interface Plan {
  /** Table, alias `t`, and its key column. */
  from: Condition;
  key: Condition;
  conditions: Condition[];
  /**
   * The tables a view in `from` unites, each alias `t` with the view's columns: a page is read from each in key
   * order, then merged. Read through the view, PostgreSQL walks each table's primary key in step and a table with
   * few matches is scanned whole before the first row comes.
   */
  parts?: Condition[];
  /** When set, pages follow this order instead of key order. */
  ordered?: Ordered;
}

/**
 * Pages in order of a sort value, then key, each branch read in that order from an index: a row belongs to the
 * first branch giving it the smallest sort value, so it comes once. `rest` are the plan's conditions but the ones
 * the branches already hold.
 */
interface Ordered {
  branches: Array<{ sort: Condition; match: Condition }>;
  /** Any branch matches (for counting). */
  any: Condition;
  rest: Condition[];
}

/** Byte order (matching the indexes of migrations 0016 and 0019) of a string. */
export const byteOrder = (value: Condition): Condition => sql`(${value} collate "C")`;

/** Strings starting with `prefix`, as an index range (U+10FFFF sorts after any character a name holds). */
export const startsWith = (sort: Condition, prefix: string): Condition =>
  sql`(${sort} >= dir_norm(${prefix}) and ${sort} < dir_norm(${prefix}) || chr(1114111))`;

/** Practitioners matching a name prefix, paged in the order of the normalised name that matched. */
function byName(filter: Extract<Filter, { type: 'string' }>): Omit<Ordered, 'rest'> {
  // The names normalised by dir_norm, stored (migration 0019).
  const columns =
    filter.name === 'family'
      ? [sql`t.nom_norm`]
      : filter.name === 'given'
        ? [sql`t.prenom_norm`]
        : [sql`t.nom_norm`, sql`t.prenom_norm`];
  const candidates = filter.values.flatMap((value) =>
    columns.map((column) => {
      const sort = byteOrder(column);
      return { sort, match: startsWith(sort, value.trim()) };
    }),
  );
  const branches = candidates.map((c, i) => ({
    sort: c.sort,
    match: and([
      c.match,
      ...candidates.flatMap((other, j) =>
        j === i
          ? []
          : [
              sql`not (${other.match} and ${j < i ? sql`${other.sort} <= ${c.sort}` : sql`${other.sort} < ${c.sort}`})`,
            ],
      ),
    ]),
  }));
  return { branches, any: or(candidates.map((c) => c.match)) };
}

function planPractitioner(filters: Filter[]): Plan {
  const conditions: Condition[] = [];
  const activity: Condition[] = [];
  const byNameFilter = filters.find(
    (f): f is Extract<Filter, { type: 'string' }> =>
      f.type === 'string' && ['name', 'family', 'given'].includes(f.name) && f.match === 'prefix',
  );
  for (const f of filters) {
    if (f === byNameFilter) continue;
    if (f.type === 'token') {
      const tokens = f.values;
      switch (f.name) {
        case '_id':
          conditions.push(inList(sql`t.id_nat`, codes(tokens)));
          break;
        case 'active':
          conditions.push(or(tokens.map((v) => sql`t.active = ${v.code === 'true'}`)));
          break;
        case 'identifier':
          conditions.push(
            or(
              tokens.map((v) => {
                if (v.system === identifierSystem.idNatPs)
                  return v.code ? sql`t.id_nat = ${v.code}` : sql`true`;
                if (v.system === identifierSystem.rpps)
                  return v.code ? sql`(t.id_type = '8' and t.pp_id = ${v.code})` : sql`t.id_type = '8'`;
                if (v.system) return sql`false`;
                return sql`(t.id_nat = ${v.code} or t.pp_id = ${v.code})`;
              }),
            ),
          );
          break;
        case 'identifier-type':
          conditions.push(
            or(
              tokens.map((v) =>
                v.code === 'RPPS'
                  ? sql`t.id_type = '8'`
                  : v.code === 'ADELI'
                    ? sql`t.id_type = '0'`
                    : v.code === 'IDNPS'
                      ? sql`true`
                      : sql`false`,
              ),
            ),
          );
          break;
        case 'qualification-code':
          conditions.push(or(tokens.map(qualification)));
          break;
        case 'profession':
          activity.push(inList(sql`a.profession_code`, codes(tokens)));
          break;
        case 'specialty':
          conditions.push(
            sql`t.id_nat in (select s.id_nat from dir_savoir_faire s where s.active and ${inList(sql`s.code`, codes(tokens))})`,
          );
          break;
        case 'address-department':
          activity.push(inList(sql`a.departement_code`, codes(tokens)));
          break;
      }
    } else if (f.type === 'string') {
      switch (f.name) {
        case 'name':
          conditions.push(stringMatch([sql`t.nom_exercice`, sql`t.prenom_exercice`], f.match, f.values));
          break;
        case 'family':
          conditions.push(stringMatch([sql`t.nom_exercice`], f.match, f.values));
          break;
        case 'given':
          conditions.push(stringMatch([sql`t.prenom_exercice`], f.match, f.values));
          break;
        case 'mailbox-mss':
          conditions.push(
            sql`t.id_nat in (select m.id_nat from dir_mailbox m where m.active and ${stringMatch([sql`m.adresse`], f.match, f.values)})`,
          );
          break;
        case 'address-postalcode':
          activity.push(postalCode(sql`a.code_postal`, f.match, f.values));
          break;
        case 'address-city':
          activity.push(stringMatch([sql`a.commune`], f.match, f.values));
          break;
      }
    } else if (f.type === 'date') {
      const { since, until } = dateBounds(f);
      conditions.push(sql`t.id_nat in (
        select id_nat from dir_professional where changed_at >= ${since}
        union select id_nat from dir_activity where changed_at >= ${since}
        union select id_nat from dir_savoir_faire where changed_at >= ${since}
        union select id_nat from dir_diploma where changed_at >= ${since}
        union select id_nat from dir_mailbox where changed_at >= ${since})`);
      if (until) conditions.push(sql`${practitionerLastUpdated} < ${until}`);
    }
  }
  // Activity criteria hold together: "a nurse in the 75" is one situation d'exercice that is both.
  if (activity.length > 0) {
    const matches = sql`select a.id_nat from dir_activity a where a.active and ${and(activity)}`;
    // A postal code or a city bounds the matches to a few thousand: read them first, then the page's
    // practitioners by key. PostgreSQL misjudges a postal-code prefix by orders of magnitude and would otherwise
    // walk every activity in idNat_PS order (seconds on a national directory) to find fifty rare matches.
    const narrow = filters.some((f) => f.name === 'address-postalcode' || f.name === 'address-city');
    conditions.push(narrow ? sql`t.id_nat = any(array(${matches}))` : sql`t.id_nat in (${matches})`);
  }
  const from = sql`dir_professional t`;
  const key = sql`t.id_nat`;
  if (!byNameFilter) return { from, key, conditions };
  const ordered = { ...byName(byNameFilter), rest: conditions };
  return { from, key, conditions: [ordered.any, ...conditions], ordered };
}

/** Postal codes match by prefix (`75` is Paris), exactly with `:exact`. */
function postalCode(column: Condition, match: 'prefix' | 'contains' | 'exact', values: string[]): Condition {
  return or(
    values.map((v) =>
      match === 'exact'
        ? sql`${column} = ${v}`
        : match === 'prefix'
          ? sql`${column} like ${`${escapeLike(v)}%`}`
          : sql`${column} like ${`%${escapeLike(v)}%`}`,
    ),
  );
}

function qualification(v: Token): Condition {
  const code = v.code;
  const professions = sql`(select a.id_nat from dir_activity a where a.active and a.profession_code = ${code})`;
  const categories = sql`(select a.id_nat from dir_activity a where a.active and a.categorie_code = ${code})`;
  const savoirFaire = sql`(select s.id_nat from dir_savoir_faire s where s.active and s.code = ${code})`;
  const diplomas = sql`(select d.id_nat from dir_diploma d where d.active and d.diplome_code = ${code})`;
  if (!code) return sql`false`;
  switch (v.system) {
    case codeSystem.profession:
      return sql`t.id_nat in ${professions}`;
    case codeSystem.categorie:
      return sql`t.id_nat in ${categories}`;
    case codeSystem.diplome:
      return sql`t.id_nat in ${diplomas}`;
    case undefined:
      return sql`(t.id_nat in ${professions} or t.id_nat in ${savoirFaire} or t.id_nat in ${diplomas} or t.id_nat in ${categories})`;
    default:
      return v.system.startsWith('https://mos.esante.gouv.fr/NOS/')
        ? sql`t.id_nat in ${savoirFaire}`
        : sql`false`;
  }
}

const practitionerLastUpdated = sql`greatest(t.changed_at,
  (select max(changed_at) from dir_activity x where x.id_nat = t.id_nat),
  (select max(changed_at) from dir_savoir_faire x where x.id_nat = t.id_nat),
  (select max(changed_at) from dir_diploma x where x.id_nat = t.id_nat),
  (select max(changed_at) from dir_mailbox x where x.id_nat = t.id_nat and x.structure_id is null))`;

const roleMailboxes = sql`x.id_nat = t.id_nat and x.structure_id in (t.structure_id, t.finess_site)`;
const roleLastUpdated = sql`greatest(t.changed_at, (select max(changed_at) from dir_mailbox x where ${roleMailboxes}))`;

function planPractitionerRole(filters: Filter[]): Plan {
  const conditions: Condition[] = [];
  for (const f of filters) {
    if (f.type === 'token') {
      const tokens = f.values;
      switch (f.name) {
        case '_id':
        case 'identifier':
          conditions.push(inList(sql`md5(t.key)`, codes(tokens)));
          break;
        case 'active':
          conditions.push(or(tokens.map((v) => sql`t.active = ${v.code === 'true'}`)));
          break;
        case 'role':
          conditions.push(
            or(
              tokens.map((v) => {
                if (v.system === codeSystem.fonction) return sql`t.role_code = ${v.code}`;
                if (v.system === codeSystem.genreActivite) return sql`t.genre_code = ${v.code}`;
                if (v.system === codeSystem.modeExercice) return sql`t.mode_code = ${v.code}`;
                if (v.system) return sql`false`;
                return sql`(t.role_code = ${v.code} or t.genre_code = ${v.code} or t.mode_code = ${v.code})`;
              }),
            ),
          );
          break;
        case 'organization.identifier':
          conditions.push(
            or(
              tokens.map((v) => {
                if (v.system === identifierSystem.finess) return sql`t.finess_site = ${v.code}`;
                if (v.system === identifierSystem.sirene) return sql`t.siret = ${v.code}`;
                if (v.system === identifierSystem.idNatStruct)
                  return sql`(t.structure_id = ${v.code} or t.finess_site = ${v.code?.replace(/^1/, '')})`;
                if (v.system) return sql`false`;
                return sql`(t.finess_site = ${v.code} or t.siret = ${v.code} or t.structure_id = ${v.code})`;
              }),
            ),
          );
          break;
      }
    } else if (f.type === 'reference') {
      if (f.name === 'practitioner') conditions.push(inList(sql`t.id_nat`, f.values));
      if (f.name === 'organization') conditions.push(atOrganizations(f.values));
    } else if (f.type === 'string') {
      if (f.name === 'mailbox-mss')
        conditions.push(
          sql`exists (select 1 from dir_mailbox x where ${roleMailboxes} and x.active and ${stringMatch([sql`x.adresse`], f.match, f.values)})`,
        );
      if (f.name === 'address-postalcode') conditions.push(postalCode(sql`t.code_postal`, f.match, f.values));
      if (f.name === 'address-city') conditions.push(stringMatch([sql`t.commune`], f.match, f.values));
    } else if (f.type === 'date') {
      const { since, until } = dateBounds(f);
      // The keys changed since, gathered from both tables' change-date indexes: as `changed_at >= … or exists (…)`
      // PostgreSQL probed the mailboxes once per activity, minutes on a national directory.
      conditions.push(sql`t.key in (
        select key from dir_activity where changed_at >= ${since}
        union select a.key from dir_mailbox x join dir_activity a
          on a.id_nat = x.id_nat and x.structure_id in (a.structure_id, a.finess_site)
        where x.changed_at >= ${since})`);
      if (until) conditions.push(sql`${roleLastUpdated} < ${until}`);
    }
  }
  return { from: sql`dir_activity t`, key: sql`t.key`, conditions };
}

/** Activities at one of these Organizations: a FINESS structure by its number, a cabinet by its identifier. */
function atOrganizations(ids: string[]): Condition {
  if (ids.length === 0) return sql`false`;
  return sql`(t.finess_site = any(${list(ids)}) or (t.finess_site is null and t.structure_id = any(${list(ids)})))`;
}

const organizationLastUpdated = sql`greatest(t.changed_at,
  (select max(changed_at) from dir_mailbox x where x.structure_id = t.id and x.id_nat is null))`;

/**
 * Organizations: FINESS structures and cabinets, two views with the same columns (migration 0025), each read in id
 * order and merged (`parts`).
 */
function planOrganization(filters: Filter[]): Plan {
  const conditions: Condition[] = [];
  for (const f of filters) {
    if (f.type === 'token') {
      const tokens = f.values;
      switch (f.name) {
        case '_id':
          conditions.push(inList(sql`t.id`, codes(tokens)));
          break;
        case 'active':
          conditions.push(or(tokens.map((v) => sql`t.active = ${v.code === 'true'}`)));
          break;
        case 'identifier':
          conditions.push(
            or(
              tokens.map((v) => {
                if (v.system === identifierSystem.finess)
                  return v.code ? sql`t.finess = ${v.code}` : sql`t.finess is not null`;
                if (v.system === identifierSystem.sirene)
                  return v.code ? sql`t.siret = ${v.code}` : sql`t.siret is not null`;
                if (v.system === identifierSystem.idNatStruct)
                  return v.code ? idNatStruct(v.code) : sql`true`;
                if (v.system) return sql`false`;
                return v.code
                  ? sql`(t.finess = ${v.code} or t.siret = ${v.code} or ${idNatStruct(v.code)})`
                  : sql`false`;
              }),
            ),
          );
          break;
        case 'identifier-type':
          conditions.push(
            or(
              tokens.map((v) =>
                v.code === 'FINEG'
                  ? sql`t.finess is not null`
                  : v.code === 'IDNST'
                    ? sql`true`
                    : v.code === 'SIRET'
                      ? sql`t.siret is not null`
                      : sql`false`,
              ),
            ),
          );
          break;
        case 'type':
          conditions.push(
            or(
              tokens.map((v) => {
                if (
                  v.code === 'GEOGRAPHICAL-ENTITY' &&
                  (!v.system || v.system === codeSystem.organizationType)
                )
                  return sql`true`;
                if (!v.system || v.system === codeSystem.categorieEtablissement)
                  return sql`t.categorie_code = ${v.code ?? ''}`;
                return sql`false`;
              }),
            ),
          );
          break;
      }
    } else if (f.type === 'reference') {
      if (f.name === 'partof') conditions.push(inList(sql`t.finess_ej`, f.values));
    } else if (f.type === 'string') {
      if (f.name === 'name')
        conditions.push(
          stringMatch([sql`t.raison_sociale`, sql`t.raison_sociale_longue`], f.match, f.values),
        );
      const postal = () => postalCode(sql`t.code_postal`, f.match, f.values);
      const city = () => stringMatch([sql`t.commune`], f.match, f.values);
      const line = () => addressLine(f.match, f.values);
      if (f.name === 'address-postalcode') conditions.push(postal());
      if (f.name === 'address-city') conditions.push(city());
      if (f.name === 'address-line') conditions.push(line());
      if (f.name === 'address') conditions.push(or([line(), city(), postal()]));
      if (f.name === 'mailbox-mss')
        conditions.push(
          sql`t.id in (select x.structure_id from dir_mailbox x where x.active and x.id_nat is null and ${stringMatch([sql`x.adresse`], f.match, f.values)})`,
        );
    } else if (f.type === 'date') {
      const { since, until } = dateBounds(f);
      conditions.push(sql`(t.changed_at >= ${since} or t.id in (
        select x.structure_id from dir_mailbox x where x.id_nat is null and x.changed_at >= ${since}))`);
      if (until) conditions.push(sql`${organizationLastUpdated} < ${until}`);
    }
  }
  return {
    from: sql`dir_organization t`,
    parts: [sql`dir_organization_finess t`, sql`dir_organization_cabinet t`],
    key: sql`t.id`,
    conditions,
  };
}

/**
 * Organizations with an address line matching, read in their lines normalised one per text line (migration 0026):
 * the value anywhere in them (what the trigram index finds), at the start of a line for a prefix, or a whole line
 * as written for `:exact`.
 */
function addressLine(match: 'prefix' | 'contains' | 'exact', values: string[]): Condition {
  return or(
    values.map((value) => {
      const pattern = escapeLike(value.trim());
      const anywhere = sql`t.address_text like '%' || dir_norm(${pattern}) || '%'`;
      if (match === 'contains') return anywhere;
      if (match === 'exact') return sql`(${anywhere} and ${value} = any(t.address_line))`;
      return sql`(${anywhere} and chr(10) || t.address_text like '%' || chr(10) || dir_norm(${pattern}) || '%')`;
    }),
  );
}

/**
 * An idNat_Struct: `1` + FINESS for a FINESS structure, the technical identifier itself for a cabinet. Written on
 * the key columns so that each side of the view reads its primary key.
 */
function idNatStruct(value: string): Condition {
  const finess = value.startsWith('1') ? value.slice(1) : null;
  return finess
    ? sql`(t.finess = ${finess} or (t.finess is null and t.id = ${value}))`
    : sql`(t.finess is null and t.id = ${value})`;
}

/** A token on one code column: with no system, or the column's own terminology. */
const codeIn = (column: Condition, system: string, tokens: Token[]): Condition =>
  or(
    tokens.map((v) =>
      v.system && v.system !== system ? sql`false` : v.code ? sql`${column} = ${v.code}` : sql`true`,
    ),
  );

const socialEquipment: readonly string[] = profile.healthcareService;

function planHealthcareService(filters: Filter[]): Plan {
  const conditions: Condition[] = [];
  for (const f of filters) {
    if (f.type === 'token') {
      const tokens = f.values;
      switch (f.name) {
        case '_id':
          conditions.push(inList(sql`md5(t.key)`, codes(tokens)));
          break;
        case 'active':
          conditions.push(
            or(
              tokens.map(
                (v) =>
                  sql`(t.active and coalesce(t.autorisation_supprimee, 'N') <> 'O') = ${v.code === 'true'}`,
              ),
            ),
          );
          break;
        case 'service-type':
          conditions.push(codeIn(sql`t.discipline_code`, codeSystem.disciplineEquipementSocial, tokens));
          break;
        case 'characteristic':
          conditions.push(codeIn(sql`t.activite_code`, codeSystem.typeActivite, tokens));
          break;
        case 'eligibility':
          conditions.push(codeIn(sql`t.clientele_code`, codeSystem.clientele, tokens));
          break;
        case '_profile':
          // Every service served here is a social equipment; the national API also serves healthcare activities.
          if (!tokens.some((v) => !v.system && socialEquipment.includes(v.code ?? '')))
            conditions.push(sql`false`);
          break;
      }
    } else if (f.type === 'reference') {
      if (f.name === 'organization') conditions.push(inList(sql`t.finess`, f.values));
    } else if (f.type === 'date') {
      const { since, until } = dateBounds(f);
      conditions.push(sql`t.changed_at >= ${since}`);
      if (until) conditions.push(sql`t.changed_at < ${until}`);
    }
  }
  return { from: sql`dir_equipment t`, key: sql`t.key`, conditions };
}

const planners: Record<ResourceType, (filters: Filter[]) => Plan> = {
  Practitioner: planPractitioner,
  PractitionerRole: planPractitionerRole,
  Organization: planOrganization,
  HealthcareService: planHealthcareService,
};

export interface SearchOptions {
  /** The generation to read when no cursor gives it (default: the newest). */
  snapshot?: number;
  /** Deactivated resources whose deactivation is older than this are no longer served (the national API's window). */
  purgedBefore?: Date;
  /** Matches counted exactly under `_total=estimate` (default 1 000). */
  countUpTo?: number;
}

/** The planner's estimate of the rows a plan's conditions match, without running it. */
async function plannedRows(database: Database, plan: Plan, conditions: Condition[]): Promise<number> {
  const r = await sql<{ 'QUERY PLAN': unknown }>`
    explain (format json) select 1 from ${plan.from} where ${and(conditions)}`.execute(database.db);
  const raw = r.rows[0]?.['QUERY PLAN'];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{
    Plan?: { 'Plan Rows'?: number };
  }>;
  return Math.round(parsed[0]?.Plan?.['Plan Rows'] ?? 0);
}

/**
 * Runs a search in one query: the page's keys in key order after the cursor (keyset paging, no OFFSET) and the
 * page's resources with their parts aggregated as JSON (in two for searches paged in name order); then
 * `_include`/`_revinclude` in one query each. The total is counted only when there is more than one page.
 */
export async function search(
  database: Database,
  request: SearchRequest,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const cursor = request.page ? decodeCursor(request.page) : null;
  const snapshot = cursor?.snapshot ?? options.snapshot ?? (await currentSnapshot(database));
  const plan = planners[request.resourceType](request.filters);
  if (cursor && (cursor.sort !== undefined) !== (plan.ordered !== undefined)) throw invalidPage();
  const visibility = [
    sql`t.created_import <= ${snapshot}`,
    ...(options.purgedBefore ? [sql`(t.active or t.deactivated_at >= ${options.purgedBefore})`] : []),
  ];
  const visible = [...plan.conditions, ...visibility];
  const paged = cursor ? [...visible, sql`${plan.key} > ${cursor.after}`] : visible;
  const inKeyOrder = keysInOrder(plan, paged, request.count + 1);
  // A lookup by identifiers goes with those of concurrent requests; past a page of matches, the search pages them.
  const looked =
    cursor || options.purgedBefore || request.count === 0
      ? null
      : await lookUpPractitioners(database, request, snapshot);
  const { rows, sorts }: { rows: Fetched[]; sorts?: Map<string, string> } =
    request.count === 0
      ? { rows: [] }
      : looked && looked.length <= request.count
        ? { rows: looked }
        : plan.ordered
          ? await orderedPage(database, plan, plan.ordered, visibility, cursor, request)
          : { rows: await fetchers[request.resourceType](database, keyArray(inKeyOrder)) };
  const more = rows.length > request.count;
  const page = more ? rows.slice(0, request.count) : rows;
  let total = cursor?.total ?? null;
  if (!cursor && request.total !== 'none') {
    if (!more && request.count > 0) total = page.length;
    else {
      const cap = request.total === 'accurate' ? null : (options.countUpTo ?? countUpTo);
      // A search in name order counts along its indexes (stopping at the cap, if any), from the indexes alone
      // (migration 0019): a bitmap of every match of a three-letter prefix visits tens of thousands of heap pages.
      const upToCap = plan.ordered
        ? orderedKeys(plan, plan.ordered, visibility, null, cap === null ? null : cap + 1)
        : sql`select 1 from (${sql.join(
            (plan.parts ?? [plan.from]).map(
              (from) =>
                sql`(select 1 from ${from} where ${and(visible)} ${cap === null ? sql`` : sql`limit ${cap + 1}`})`,
            ),
            sql` union all `,
          )}) as u`;
      const counted = await sql<{ n: number }>`select count(*)::int as n from (${upToCap}) c`.execute(
        database.db,
      );
      const n = counted.rows[0]?.n ?? 0;
      total = cap !== null && n > cap ? Math.max(cap + 1, await plannedRows(database, plan, visible)) : n;
    }
  }
  const last = page[page.length - 1];
  const next: Cursor | null = more && last ? { after: last.key, snapshot, total } : null;
  if (next && sorts) next.sort = sorts.get(next.after);
  const matches = page.map((r) => r.resource);
  const { included, warnings } = await includedFor(database, request, matches);
  return { matches, included, warnings, total, next };
}

/** The first `limit` keys matching `where` in key order, from each of the plan's parts, if any, then merged. */
function keysInOrder(plan: Plan, where: Condition[], limit: number): Condition {
  if (!plan.parts)
    return sql`select ${plan.key} from ${plan.from} where ${and(where)} order by ${plan.key} limit ${limit}`;
  const parts = plan.parts.map(
    (from) => sql`(select ${plan.key} as k from ${from} where ${and(where)} order by 1 limit ${limit})`,
  );
  return sql`select k from (${sql.join(parts, sql` union all `)}) u order by k limit ${limit}`;
}

/**
 * The first `limit` keys after the cursor in the plan's order, with their sort values: each branch's first rows,
 * read in order from its index, merged; with no limit, every match, unordered (to count them).
 */
function orderedKeys(
  plan: Plan,
  ordered: Ordered,
  visibility: Condition[],
  cursor: Cursor | null,
  limit: number | null,
): Condition {
  const branches = ordered.branches.map((b) => {
    const after = cursor ? [sql`(${b.sort}, ${plan.key}) > (${cursor.sort}, ${cursor.after})`] : [];
    const where = and([b.match, ...ordered.rest, ...visibility, ...after]);
    return limit === null
      ? sql`(select ${b.sort} as s, ${plan.key} as k from ${plan.from} where ${where})`
      : sql`(select ${b.sort} as s, ${plan.key} as k from ${plan.from} where ${where} order by 1, 2 limit ${limit})`;
  });
  const union = sql`select s, k from (${sql.join(branches, sql` union all `)}) u`;
  return limit === null ? union : sql`${union} order by s collate "C", k limit ${limit}`;
}

/** A page in the plan's order, then its resources, put back in that order. */
async function orderedPage(
  database: Database,
  plan: Plan,
  ordered: Ordered,
  visibility: Condition[],
  cursor: Cursor | null,
  request: SearchRequest,
): Promise<{ rows: Fetched[]; sorts: Map<string, string> }> {
  const found = await sql<{
    s: string;
    k: string;
  }>`${orderedKeys(plan, ordered, visibility, cursor, request.count + 1)}`.execute(database.db);
  const sorts = new Map(found.rows.map((r) => [r.k, r.s]));
  if (sorts.size === 0) return { rows: [], sorts };
  const fetched = new Map(
    (await fetchers[request.resourceType](database, list([...sorts.keys()]))).map((r) => [r.key, r]),
  );
  const rows = [...sorts.keys()].flatMap((k) => fetched.get(k) ?? []);
  return { rows, sorts };
}

const unique = (values: Array<string | null | undefined>): string[] => [
  ...new Set(values.filter((v): v is string => !!v)),
];

async function includedFor(
  database: Database,
  request: SearchRequest,
  matches: Resource[],
): Promise<{ included: Resource[]; warnings: string[] }> {
  const warnings: string[] = [];
  const included: Resource[] = [];
  if (matches.length === 0) return { included, warnings };
  const ids = matches.map((m) => m.id as string);
  const capped = (rows: Fetched[]) => {
    if (rows.length > maxIncluded)
      warnings.push(
        `_revinclude : plus de ${maxIncluded} ressources liées, seules les ${maxIncluded} premières sont incluses ; réduisez _count.`,
      );
    return rows.slice(0, maxIncluded).map((r) => r.resource);
  };
  const reference = (field: string) =>
    unique(
      matches.map(
        (m) => (resourceObject(m)[field] as { reference?: string } | undefined)?.reference?.split('/')[1],
      ),
    );
  switch (request.resourceType) {
    case 'Practitioner':
      if (request.revinclude.length > 0)
        included.push(
          ...capped(await roleRowsWhere(database, sql`t.id_nat = any(${list(ids)})`, maxIncluded + 1)),
        );
      break;
    case 'PractitionerRole': {
      const wants = (target: string) =>
        request.include.includes(`PractitionerRole:${target}`) ||
        request.include.includes('PractitionerRole:*');
      const practitioners = reference('practitioner');
      const organizations = reference('organization');
      if (wants('practitioner') && practitioners.length > 0)
        included.push(...(await practitionerResources(database, list(practitioners))).map((r) => r.resource));
      if (wants('organization') && organizations.length > 0)
        included.push(...(await organizationRows(database, list(organizations))).map((r) => r.resource));
      break;
    }
    case 'Organization': {
      const parents = unique(
        matches.map(
          (o) => (resourceObject(o).partOf as { identifier?: { value?: string } })?.identifier?.value,
        ),
      );
      if (request.include.length > 0 && parents.length > 0)
        included.push(...(await organizationRows(database, list(parents))).map((r) => r.resource));
      if (request.revinclude.includes('PractitionerRole:organization'))
        included.push(...capped(await roleRowsWhere(database, atOrganizations(ids), maxIncluded + 1)));
      if (request.revinclude.includes('HealthcareService:organization'))
        included.push(
          ...capped(await equipmentRowsWhere(database, sql`t.finess = any(${list(ids)})`, maxIncluded + 1)),
        );
      break;
    }
    case 'HealthcareService': {
      const organizations = reference('providedBy');
      if (request.include.length > 0 && organizations.length > 0)
        included.push(...(await organizationRows(database, list(organizations))).map((r) => r.resource));
      break;
    }
  }
  return { included, warnings };
}

/** One resource by its id, whatever its state (a deactivated one comes back reduced to its identifiers). */
export async function readResource(
  database: Database,
  type: ResourceType,
  id: string,
): Promise<Resource | null> {
  const rows =
    type === 'Practitioner'
      ? await practitionerResources(database, list([id]))
      : type === 'PractitionerRole'
        ? await roleRowsWhere(database, sql`md5(t.key) = ${id}`, 1)
        : type === 'HealthcareService'
          ? await equipmentRowsWhere(database, sql`md5(t.key) = ${id}`, 1)
          : await organizationRows(database, list([id]));
  return rows[0]?.resource ?? null;
}
