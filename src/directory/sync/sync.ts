import { type RawBuilder, sql } from 'kysely';
import { appendEvent } from '../../audit/append.ts';
import type { AuditEventInput } from '../../audit/event.ts';
import type { Database } from '../../db/connect.ts';
import { identifierSystem, profile } from '../fhir/systems.ts';
import {
  guardLine,
  guardRefusal,
  indexKey,
  type MergeCounts,
  mergeResource,
  refreshStatistics,
  resetStaging,
  type Scope,
} from '../import/merge.ts';
import { type Resource, type ResourceName, resources } from '../import/resources.ts';
import { snapshotChanged } from '../snapshot.ts';
import { AnnuaireClient, ApiError } from './client.ts';
import {
  keyedEquipment,
  type Mapped,
  mapHealthcareService,
  mapOrganization,
  mapPractitioner,
  mapPractitionerRole,
  type Row,
  SyncFormatError,
} from './map.ts';

export interface SyncOptions {
  /** FHIR base of the API, e.g. `https://gateway.api.esante.gouv.fr/fhir/v2`. */
  baseUrl: string;
  apiKey: string;
  requestsPerSecond?: number;
  pageSize?: number;
  /** Share of a resource's active rows a sync may deactivate (default 15 %). */
  maxDeactivation?: number;
  acceptMassChange?: boolean;
  /** Force a full load even when a delta would do. */
  full?: boolean;
  /** Longest gap a delta may cover (the national API keeps changes 30 days). */
  maxGapDays?: number;
  actor?: AuditEventInput['actor'];
  fetch?: typeof fetch;
  backoffMs?: number;
  timeoutSeconds?: number;
  onPage?: (progress: SyncProgress) => void;
  now?: () => Date;
}

export interface SyncProgress {
  resource: string;
  pages: number;
  entries: number;
}

export interface SyncReport {
  id: number | null;
  status: 'success' | 'refused' | 'failed';
  message: string;
  mode: 'full' | 'delta' | null;
  since: string | null;
  /** Newest `meta.lastUpdated` received, by the API's clock: the next delta starts there. */
  highWater: string | null;
  resumed: boolean;
  pages: number;
  entries: number;
  requests: number;
  retries: number;
  throttled: number;
  /** Roles whose practitioner the API never returned: skipped, as the national data has dangling links. */
  unresolved: number;
  /** Social equipment whose organization the API never returned: skipped likewise. */
  orphanServices: number;
  resources: Partial<Record<ResourceName, MergeCounts & { active: number }>>;
  guard: Array<{ resource: ResourceName; active: number; missing: number; share: number }>;
  seconds: number;
  /** Seconds spent downloading the pages, building the staging rows from them, checking and merging. */
  phases: { download: number; staging: number; checks: number; merge: number };
}

const steps = ['Organization', 'Practitioner', 'PractitionerRole', 'HealthcareService'] as const;
type Step = (typeof steps)[number];
const syncTables = [
  'dir_sync_practitioner_stg',
  'dir_sync_organization_stg',
  'dir_sync_role_stg',
  'dir_sync_role_mailbox_stg',
  'dir_sync_gone_stg',
];
const allResources: Resource[] = Object.values(resources);

interface State {
  import_id: number;
  base_url: string;
  mode: 'full' | 'delta';
  since: Date | null;
  high_water: Date | null;
  cursors: Partial<Record<Step, { next: string | null; done: boolean }>>;
  pages: number;
  entries: number;
}

/**
 * Keeps the mirror current from the national Annuaire Santé FHIR API: a full load by following `next` links,
 * then `_lastUpdated=ge…` deltas (a full load again when the last sync is older than the API's 30-day window).
 * Pages are staged as they arrive with a checkpoint after each, so a sync that dies resumes where it stopped;
 * the served tables change only in the final merge, under the same deletion guard and lock as file imports.
 */
export async function syncDirectory(database: Database, options: SyncOptions): Promise<SyncReport> {
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const client = new AnnuaireClient({
    baseUrl,
    apiKey: options.apiKey,
    requestsPerSecond: options.requestsPerSecond ?? 17,
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.backoffMs !== undefined && { backoffMs: options.backoffMs }),
    ...(options.timeoutSeconds !== undefined && { timeoutSeconds: options.timeoutSeconds }),
  });
  const report: SyncReport = {
    id: null,
    status: 'failed',
    message: '',
    mode: null,
    since: null,
    highWater: null,
    resumed: false,
    pages: 0,
    entries: 0,
    requests: 0,
    retries: 0,
    throttled: 0,
    unresolved: 0,
    orphanServices: 0,
    resources: {},
    guard: [],
    seconds: 0,
    phases: { download: 0, staging: 0, checks: 0, merge: 0 },
  };
  const db = database.db;
  let phaseStart = performance.now();
  const endPhase = (phase: keyof SyncReport['phases']) => {
    const at = performance.now();
    report.phases[phase] = Math.round((at - phaseStart) / 10) / 100;
    phaseStart = at;
  };

  const finish = async (status: SyncReport['status'], message: string, keepCheckpoint = false) => {
    Object.assign(report, client.stats);
    report.status = status;
    report.message = message;
    report.seconds = Math.round((performance.now() - started) / 10) / 100;
    if (!keepCheckpoint) await sql`delete from dir_sync_state`.execute(db);
    if (report.id !== null)
      await db
        .updateTable('dir_import')
        .set({ status, finished_at: new Date(), report: JSON.stringify(report) })
        .where('id', '=', report.id)
        .execute();
    snapshotChanged(database);
    await appendEvent(database, {
      action: 'directory.sync',
      outcome: status === 'success' ? 'success' : status === 'refused' ? 'denied' : 'failure',
      actor: options.actor ?? { kind: 'system' },
      subject: report.id === null ? null : { type: 'directory-import', id: String(report.id) },
      details: {
        api: baseUrl,
        mode: report.mode,
        pages: report.pages,
        resources: report.resources,
        guard: report.guard,
        reason: status === 'success' ? null : message,
      },
    });
    return report;
  };

  return database.withLock('directory-import', async () => {
    const state = await resumeOrStart(database, baseUrl, options, now());
    await dropStagingKeys(database);
    report.id = state.import_id;
    report.mode = state.mode;
    report.since = state.since?.toISOString() ?? null;
    report.highWater = state.high_water?.toISOString() ?? null;
    report.resumed = state.pages > 0;
    report.pages = state.pages;
    report.entries = state.entries;

    let resolved = false;
    try {
      resolved = await fetchPages(database, client, state, options, report);
    } catch (error) {
      if (error instanceof SyncFormatError)
        return finish(
          'failed',
          `Synchronisation arrêtée : ${error.message} Les données servies sont inchangées.`,
        );
      if (error instanceof ApiError) {
        const resumable = error.status === 0 || error.status === 429 || error.status >= 500;
        return finish(
          'failed',
          `Synchronisation interrompue : ${error.message}${resumable ? ' Elle reprendra à la page où elle s’est arrêtée.' : ''} Les données servies sont inchangées.`,
          resumable,
        );
      }
      throw error;
    }

    endPhase('download');
    report.unresolved = await buildStaging(database, resolved);
    endPhase('staging');
    const scopes = state.mode === 'full' ? null : deltaScopes();
    for (const r of allResources) {
      report.guard.push(await guardLine(db, r, scopes?.[r.name] ?? null));
    }
    const refusal = guardRefusal(report.guard, options.maxDeactivation ?? 0.15);
    if (refusal && !options.acceptMassChange) return finish('refused', refusal);
    endPhase('checks');

    const at = now();
    await db.transaction().execute(async (trx) => {
      for (const r of allResources) {
        const counts = await mergeResource(trx, r, state.import_id, at, scopes?.[r.name] ?? null);
        const active = await sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.raw(r.table)} where active`.execute(trx);
        report.resources[r.name] = { ...counts, active: active.rows[0]?.n ?? 0 };
      }
      if (state.mode === 'full')
        await sql`delete from dir_sync_practitioner; delete from dir_sync_organization`.execute(trx);
      await sql`
        insert into dir_sync_practitioner select distinct on (upstream_id) * from dir_sync_practitioner_stg order by upstream_id
        on conflict (upstream_id) do update set id_nat = excluded.id_nat, profession_code = excluded.profession_code,
          profession = excluded.profession, categorie_code = excluded.categorie_code, categorie = excluded.categorie`.execute(
        trx,
      );
      await sql`
        insert into dir_sync_organization select distinct on (upstream_id) * from dir_sync_organization_stg order by upstream_id
        on conflict (upstream_id) do update set finess = excluded.finess, id_nat_struct = excluded.id_nat_struct,
          siret = excluded.siret, name = excluded.name`.execute(trx);
    });
    await Promise.all(allResources.map((r) => refreshStatistics(db, r, report.resources[r.name])));
    endPhase('merge');
    for (const r of allResources) await resetStaging(db, r);
    for (const t of syncTables) await sql.raw(`truncate ${t}`).execute(db);
    const changes = allResources
      .map((r) => {
        const c = report.resources[r.name];
        return c ? `${r.label} : ${c.created} créés, ${c.changed} modifiés, ${c.deactivated} désactivés` : '';
      })
      .join(' ; ');
    return finish(
      'success',
      `Synchronisation ${state.mode === 'full' ? 'complète' : 'par delta'} réussie (${changes}).`,
    );
  });
}

async function resumeOrStart(
  database: Database,
  baseUrl: string,
  options: SyncOptions,
  at: Date,
): Promise<State> {
  const db = database.db;
  const saved = (await sql<State>`select * from dir_sync_state`.execute(db)).rows[0];
  const latest = (await sql<{ id: number | null }>`select max(id) as id from dir_import`.execute(db)).rows[0]
    ?.id;
  // A checkpoint is only good if nothing was imported since and it speaks of the same API.
  if (saved && saved.base_url === baseUrl && saved.import_id === latest && !options.full) {
    await db
      .updateTable('dir_import')
      .set({ status: 'running', finished_at: null })
      .where('id', '=', saved.import_id)
      .execute();
    return saved;
  }
  await db
    .updateTable('dir_import')
    .set({
      status: 'failed',
      finished_at: new Date(),
      report: JSON.stringify({ message: 'Import interrompu avant sa fin.' }),
    })
    .where('status', '=', 'running')
    .execute();
  const last = (
    await sql<{ started_at: Date; high_water: string | null; resources: string[] }>`
      select started_at, report->>'highWater' as high_water,
        array(select jsonb_object_keys(coalesce(report->'resources', '{}'::jsonb))) as resources
      from dir_import where status = 'success' and sources->0->>'file' = ${baseUrl}
      order by id desc limit 1`.execute(db)
  ).rows[0];
  const maxGapMs = (options.maxGapDays ?? 30) * 86_400_000;
  // A delta only completes what the previous sync loaded: one made before a resource was synced (social equipment
  // came later) did not load it, and the next sync is a full one.
  const delta =
    !options.full &&
    last !== undefined &&
    at.getTime() - last.started_at.getTime() < maxGapMs &&
    allResources.every((r) => last.resources.includes(r.name));
  // A delta starts just after the newest change the previous sync received, by the API's own clock: everything
  // stamped at that instant or before was in its snapshot (a whole generation often shares one stamp). Without
  // one, a few minutes before the previous sync started, as clocks differ.
  const since =
    delta && last
      ? last.high_water
        ? new Date(new Date(last.high_water).getTime() + 1)
        : new Date(last.started_at.getTime() - 5 * 60_000)
      : null;
  const mode = delta ? 'delta' : 'full';
  const inserted = await db
    .insertInto('dir_import')
    .values({ status: 'running', sources: JSON.stringify([{ file: baseUrl, stamp: mode }]), report: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const r of allResources) await resetStaging(db, r);
  for (const t of syncTables) await sql.raw(`truncate ${t}`).execute(db);
  const state: State = {
    import_id: inserted.id,
    base_url: baseUrl,
    mode,
    since,
    high_water: null,
    cursors: {},
    pages: 0,
    entries: 0,
  };
  await sql`delete from dir_sync_state`.execute(db);
  await sql`
    insert into dir_sync_state (id, import_id, base_url, mode, since, started_at, cursors, pages, entries)
    values (1, ${state.import_id}, ${baseUrl}, ${mode}, ${since}, ${at}, '{}'::jsonb, 0, 0)`.execute(db);
  return state;
}

function firstUrl(client: AnnuaireClient, step: Step, state: State, pageSize: number): string {
  const params = new URLSearchParams({ _count: String(pageSize) });
  // A full load only needs what is active; a delta needs the deactivations too.
  if (state.mode === 'full') params.set('active', 'true');
  else if (state.since) params.set('_lastUpdated', `ge${state.since.toISOString()}`);
  // The national API also serves healthcare activities as HealthcareService; the mirror keeps social equipment.
  if (step === 'HealthcareService') params.set('_profile', profile.healthcareService[0]);
  return `${client.url(step)}?${params}`;
}

interface Page {
  resources: unknown[];
  next: string | null;
  total: number | null;
}

function readBundle(bundle: unknown, step: Step): Page {
  const b = bundle as {
    resourceType?: unknown;
    type?: unknown;
    entry?: unknown;
    link?: unknown;
    total?: unknown;
  };
  if (typeof bundle !== 'object' || bundle === null || b.resourceType !== 'Bundle' || b.type !== 'searchset')
    throw new SyncFormatError(`réponse de ${step} qui n’est pas un Bundle searchset.`);
  if (b.entry !== undefined && !Array.isArray(b.entry))
    throw new SyncFormatError(`Bundle de ${step} sans liste entry.`);
  if (b.link !== undefined && !Array.isArray(b.link))
    throw new SyncFormatError(`Bundle de ${step} sans liste link.`);
  const resourcesOfPage: unknown[] = [];
  for (const e of (b.entry ?? []) as Array<{
    resource?: { resourceType?: unknown };
    search?: { mode?: unknown };
  }>) {
    if (e?.search?.mode === 'include' || e?.search?.mode === 'outcome') continue;
    if (e?.resource?.resourceType !== step)
      throw new SyncFormatError(
        `l’API a renvoyé ${String(e?.resource?.resourceType)} au lieu de ${step} : son comportement a changé en cours de route.`,
      );
    resourcesOfPage.push(e.resource);
  }
  const next = ((b.link ?? []) as Array<{ relation?: unknown; url?: unknown }>).find(
    (l) => l?.relation === 'next',
  )?.url;
  if (next !== undefined && typeof next !== 'string')
    throw new SyncFormatError(`lien next illisible pour ${step}.`);
  return {
    resources: resourcesOfPage,
    next: next ?? null,
    total: typeof b.total === 'number' ? b.total : null,
  };
}

/**
 * Reads the three resource types as three concurrent streams sharing the client's rate limit, each fetching its
 * next page while it stages the current one: requests keep the limit busy instead of waiting on each other.
 * Once practitioners and organizations are all in, roles are resolved into activities as their pages arrive, in
 * the time the rate limit leaves idle, rather than all after the last page. Returns whether every role was.
 */
async function fetchPages(
  database: Database,
  client: AnnuaireClient,
  state: State,
  options: SyncOptions,
  report: SyncReport,
): Promise<boolean> {
  const pageSize = options.pageSize ?? 200;
  // When one stream fails the others stop at their next page: the sync ends and resumes as a whole.
  let failed = false;
  let resolving = false;
  const complete = (step: Step) => state.cursors[step]?.done === true;
  const stream = async (step: Step) => {
    const cursor = state.cursors[step];
    if (cursor?.done) return;
    let firstTotal: number | null = null;
    const fetchPage = (url: string) => {
      // Practitioners and organizations take the slots first (see AnnuaireClient): roles are resolved against them,
      // page by page once they are all in, so most of that work is done while the pages still arrive.
      const pending = client.get(url, step === 'PractitionerRole' ? 0 : 1);
      // A prefetched page that fails is reported when awaited, not as an unhandled rejection.
      pending.catch(() => {});
      return pending;
    };
    let pending: Promise<unknown> | null = fetchPage(cursor?.next ?? firstUrl(client, step, state, pageSize));
    while (pending && !failed) {
      const page = readBundle(await pending, step);
      if (page.total !== null) {
        firstTotal ??= page.total;
        if (page.total !== firstTotal)
          throw new SyncFormatError(
            `le total de ${step} est passé de ${firstTotal} à ${page.total} entre deux pages : l’API a changé en cours de route.`,
          );
      }
      pending = page.next ? fetchPage(page.next) : null;
      const lineBase = state.entries;
      state.entries += page.resources.length;
      state.pages++;
      const roles = await stagePage(database, step, page.resources, lineBase, report);
      if (roles && resolving) await resolveRoles(database, lineBase, roles);
      else if (roles && complete('Practitioner') && complete('Organization')) {
        // Only this stream stages roles: the ones staged so far are resolved here, the next ones page by page.
        await indexStagedKeys(database);
        await resolveRoles(database, 0);
        resolving = true;
      }
      const newest = newestUpdate(page.resources);
      if (newest && (!state.high_water || newest > state.high_water)) state.high_water = newest;
      state.cursors[step] = { next: page.next, done: page.next === null };
      await sql`update dir_sync_state set cursors = jsonb_set(cursors, ${`{${step}}`}::text[], ${JSON.stringify(state.cursors[step])}::jsonb),
        pages = pages + 1, entries = entries + ${page.resources.length},
        high_water = greatest(high_water, ${state.high_water})`.execute(database.db);
      report.highWater = state.high_water?.toISOString() ?? null;
      report.pages = state.pages;
      report.entries = state.entries;
      options.onPage?.({ resource: step, pages: state.pages, entries: state.entries });
    }
  };
  // Services are placed at their organization's FINESS: they are asked for once every organization is in.
  const running = new Map<Step, Promise<void>>();
  for (const step of steps) {
    const after = step === 'HealthcareService' ? running.get('Organization') : undefined;
    running.set(
      step,
      (after ? after.then(() => stream(step)) : stream(step)).catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    );
  }
  const results = await Promise.allSettled(running.values());
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return resolving;
}

/** The newest `meta.lastUpdated` of a page, ignoring what does not parse as a date. */
function newestUpdate(page: unknown[]): Date | null {
  let newest: number | null = null;
  for (const r of page) {
    const at = Date.parse(String((r as { meta?: { lastUpdated?: unknown } })?.meta?.lastUpdated ?? ''));
    if (Number.isFinite(at) && (newest === null || at > newest)) newest = at;
  }
  return newest === null ? null : new Date(newest);
}

async function copyRows(database: Database, table: string, rows: Row[], lineBase: number, withLine = true) {
  if (rows.length === 0) return;
  // Rows of one table may differ in shape (a diploma or an authorisation): load the union of their columns.
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const values = (row: Row) => columns.map((c) => row[c] ?? null);
  await database.bulk.copy(
    table,
    withLine ? ['line', ...columns] : columns,
    rows.map((row, i) => (withLine ? [lineBase + i, ...values(row)] : values(row))),
  );
}

/** A role page as staged: its roles and their mailboxes, in the columns of their staging tables. */
interface RolePage {
  roles: Row[];
  mailboxes: Row[];
}

/** A page's rows per staging table; numbered tables take the page's line numbers. */
type Loads = Array<[table: string, rows: Row[], numbered: boolean]>;

/** Stages one page; for a page of roles, returns what it staged so that it can be resolved at once. */
async function stagePage(
  database: Database,
  step: Step,
  page: unknown[],
  lineBase: number,
  report: SyncReport,
): Promise<RolePage | null> {
  const { loads, gone, roles } =
    step === 'Practitioner'
      ? practitionerLoads(page)
      : step === 'Organization'
        ? organizationLoads(page)
        : step === 'HealthcareService'
          ? await serviceLoads(database, page, report)
          : roleLoads(page);
  loads.push(['dir_sync_gone_stg', gone.map((key) => ({ resource: step, key })), false]);
  for (const [table, rows, numbered] of loads) await copyRows(database, table, rows, lineBase, numbered);
  return roles ?? null;
}

/** The resources of a page that are still active, and the keys of those it returned inactive. */
function split<T>(mapped: Array<Mapped<T>>): { kept: T[]; gone: string[] } {
  const kept: T[] = [];
  const gone: string[] = [];
  for (const m of mapped) {
    if (m.gone) gone.push(m.gone.key);
    else kept.push(m);
  }
  return { kept, gone };
}

function practitionerLoads(page: unknown[]) {
  const { kept, gone } = split(page.map(mapPractitioner));
  const loads: Loads = [
    ['dir_sync_practitioner_stg', kept.map((m) => m.mapping), false],
    ['dir_professional_stg', kept.map((m) => m.professional), true],
    ['dir_savoir_faire_stg', kept.flatMap((m) => m.savoirFaire), true],
    ['dir_diploma_stg', kept.flatMap((m) => m.diplomas), true],
    ['dir_mailbox_stg', kept.flatMap((m) => m.mailboxes), true],
  ];
  return { loads, gone, roles: null };
}

function organizationLoads(page: unknown[]) {
  const { kept, gone } = split(page.map(mapOrganization));
  const loads: Loads = [
    ['dir_sync_organization_stg', kept.map((m) => m.mapping), false],
    ['dir_structure_stg', kept.flatMap((m) => (m.structure ? [m.structure] : [])), true],
    ['dir_cabinet_stg', kept.flatMap((m) => (m.cabinet ? [m.cabinet] : [])), true],
    ['dir_mailbox_stg', kept.flatMap((m) => m.mailboxes), true],
  ];
  return { loads, gone, roles: null };
}

/**
 * A page of social equipment, each placed at its site's FINESS: given by `providedBy`'s identifier, or found from
 * the Organization it refers to (this sync's organizations, which are all in before services are asked for, or an
 * earlier sync's). Equipment of an organization the API never returned is skipped and counted.
 */
async function serviceLoads(database: Database, page: unknown[], report: SyncReport) {
  const { kept, gone } = split(page.map(mapHealthcareService));
  const refs = [...new Set(kept.flatMap((m) => (m.finess || !m.organizationRef ? [] : [m.organizationRef])))];
  const found =
    refs.length === 0
      ? []
      : (
          await sql<{ upstream_id: string; finess: string }>`
            select upstream_id, finess, false as staged from dir_sync_organization
            where upstream_id = any(${refs}::text[]) and finess is not null
            union all
            select upstream_id, finess, true from dir_sync_organization_stg
            where upstream_id = any(${refs}::text[]) and finess is not null
            order by staged`.execute(database.db)
        ).rows;
  // This sync's organization over an earlier sync's, as roles are resolved: staged rows come last and win.
  const finessOf = new Map(found.map((o) => [o.upstream_id, o.finess]));
  const equipment = kept.flatMap((m) => {
    const finess = m.finess ?? finessOf.get(m.organizationRef ?? '');
    return finess ? [keyedEquipment(m.equipment, finess)] : [];
  });
  report.orphanServices += kept.length - equipment.length;
  const loads: Loads = [['dir_equipment_stg', equipment, true]];
  return { loads, gone, roles: null };
}

function roleLoads(page: unknown[]) {
  const { kept, gone } = split(page.map(mapPractitionerRole));
  const roles: RolePage = {
    roles: kept.map((m) => m.role),
    mailboxes: kept.flatMap((m) =>
      m.mailboxes.map((b) => ({
        role_key: b.role_key ?? null,
        type: b.type ?? null,
        adresse: b.adresse ?? null,
        service: b.service ?? null,
        dematerialisation: b.dematerialisation ?? null,
      })),
    ),
  };
  const loads: Loads = [
    ['dir_sync_role_stg', roles.roles, false],
    ['dir_sync_role_mailbox_stg', roles.mailboxes, false],
  ];
  return { loads, gone, roles };
}

/** Staging tables keyed by one column, and that key: a resumed page may have been staged twice. */
const keyedStaging: Array<[table: string, key: string]> = [
  ['dir_sync_practitioner_stg', 'upstream_id'],
  ['dir_sync_organization_stg', 'upstream_id'],
  ['dir_sync_role_stg', 'key'],
  ...allResources.map((r): [string, string] => [`${r.table}_stg`, r.key]),
];

/** Drops the staging tables' key indexes: pages are loaded without them, and may repeat on a resumed sync. */
async function dropStagingKeys(database: Database): Promise<void> {
  for (const [table] of keyedStaging) await sql.raw(`drop index if exists ${table}_key`).execute(database.db);
}

/** Indexes a staging table on its key; a page staged twice by a resumed sync leaves one row per key. */
async function uniqueKey(database: Database, table: string, key: string): Promise<void> {
  if (await indexKey(database.db, table, key)) return;
  await sql
    .raw(`delete from ${table} a using ${table} b where a.${key} = b.${key} and a.ctid > b.ctid`)
    .execute(database.db);
}

/**
 * A column of what this sync staged (alias `staged`) or, for a key it did not return, of the mirror (alias
 * `mirror`): a delta's roles point at practitioners and structures it did not change. Both sides are joined on
 * their unique key, which lets PostgreSQL hash each table once instead of looking both up for every role.
 */
const pick = (staged: string, mirror: string, key: string, column: string) =>
  sql.raw(`case when ${staged}.${key} is not null then ${staged}.${column} else ${mirror}.${column} end`);

/**
 * Indexes the keys of the tables practitioner and organization pages are staged into: once those pages are all in,
 * roles can be resolved against them.
 */
async function indexStagedKeys(database: Database): Promise<void> {
  // Independent tables: on PostgreSQL each gets its own connection (PGlite runs them one after the other).
  await Promise.all(
    keyedStaging
      .filter(([table]) => !['dir_activity_stg', 'dir_mailbox_stg', 'dir_sync_role_stg'].includes(table))
      .map(([table, key]) => uniqueKey(database, table, key)),
  );
}

/**
 * Turns staged roles into the import's staging rows: each role gets its practitioner (idNat_PS, names,
 * profession) and its structure (FINESS, address) from this sync's pages or, for a delta, from the mirror; the
 * role's mailboxes follow it. Resolves one page of roles when given, else every role staged. A role whose
 * practitioner is unknown is skipped.
 */
async function resolveRoles(database: Database, lineBase: number, page?: RolePage): Promise<void> {
  const roles = page
    ? sql`json_populate_recordset(null::dir_sync_role_stg, ${JSON.stringify(page.roles)}::json)`
    : sql`dir_sync_role_stg`;
  const mailboxes = page
    ? sql`json_populate_recordset(null::dir_sync_role_mailbox_stg, ${JSON.stringify(page.mailboxes)}::json)`
    : sql`dir_sync_role_mailbox_stg`;
  const m = (column: string) => pick('ms', 'ml', 'upstream_id', column);
  const o = (column: string) => pick('os', 'ol', 'upstream_id', column);
  const p = (column: string) => pick('ps', 'pl', 'id_nat', column);
  const s = (column: string) => pick('ss', 'sl', 'finess', column);
  const c = (column: string) => pick('cs', 'cl', 'structure_id', column);
  const finessOf = sql`coalesce(x.o_finess, case when x.organization_system = ${identifierSystem.finess} then x.organization_value end)`;
  const structureOf = sql`coalesce(x.o_id_nat_struct, case when x.organization_system = ${identifierSystem.idNatStruct} then x.organization_value end)`;
  await sql`
    with activity as (
      insert into dir_activity_stg (line, key, id_type, pp_id, id_nat, civilite_exercice_code, civilite_code, nom_exercice,
        prenom_exercice, profession_code, profession, categorie_code, categorie, mode_code, mode, siret, finess_site, finess_ej,
        structure_id, raison_sociale, libelle_voie, code_postal, commune, departement_code, role_code, role, genre_code, genre)
      select ${lineBase} + row_number() over (order by x.key)::int, x.key, ${p('id_type')}, ${p('pp_id')}, x.id_nat,
        ${p('civilite_exercice_code')}, ${p('civilite_code')}, ${p('nom_exercice')}, ${p('prenom_exercice')},
        x.profession_code, x.profession, x.categorie_code, x.categorie, x.mode_code, x.mode,
        coalesce(x.o_siret, case when x.organization_system = ${identifierSystem.sirene} then x.organization_value end),
        coalesce(${s('finess')}, ${finessOf}),
        ${s('finess_ej')},
        ${structureOf},
        coalesce(${s('raison_sociale')}, x.o_name, x.organization_name),
        coalesce(${s('voie')}, ${c('libelle_voie')}), coalesce(${s('code_postal')}, ${c('code_postal')}),
        coalesce(regexp_replace(${s('ligne_acheminement')}, '^[0-9]{5}\\s+', ''), ${c('commune')}),
        coalesce(${s('departement')}, ${c('departement_code')}),
        x.role_code, x.role, x.genre_code, x.genre
      from (
        select r.*, ${m('id_nat')} as id_nat, ${m('profession_code')} as profession_code, ${m('profession')} as profession,
          ${m('categorie_code')} as categorie_code, ${m('categorie')} as categorie,
          ${o('finess')} as o_finess, ${o('id_nat_struct')} as o_id_nat_struct, ${o('siret')} as o_siret, ${o('name')} as o_name
        from ${roles} r
        left join dir_sync_practitioner_stg ms on ms.upstream_id = r.practitioner_ref
        left join dir_sync_practitioner ml on ml.upstream_id = r.practitioner_ref
        left join dir_sync_organization_stg os on os.upstream_id = r.organization_ref
        left join dir_sync_organization ol on ol.upstream_id = r.organization_ref
        where ms.upstream_id is not null or ml.upstream_id is not null) x
      left join dir_professional_stg ps on ps.id_nat = x.id_nat
      left join dir_professional pl on pl.id_nat = x.id_nat
      left join dir_structure_stg ss on ss.finess = ${finessOf}
      left join dir_structure sl on sl.finess = ${finessOf}
      left join dir_cabinet_stg cs on cs.structure_id = ${structureOf}
      left join dir_cabinet cl on cl.structure_id = ${structureOf}
      returning key, id_type, pp_id, id_nat, finess_site, structure_id, nom_exercice, prenom_exercice
    )
    insert into dir_mailbox_stg (line, key, type, adresse, id_type, pp_id, id_nat, structure_id, service, dematerialisation,
      nom_exercice, prenom_exercice)
    select ${lineBase} + row_number() over (order by b.role_key, b.adresse)::int,
      b.adresse || '|' || coalesce(a.id_nat, '') || '|' || coalesce(a.finess_site, a.structure_id, ''),
      b.type, b.adresse, a.id_type, a.pp_id, a.id_nat, coalesce(a.finess_site, a.structure_id), b.service,
      b.dematerialisation, a.nom_exercice, a.prenom_exercice
    from ${mailboxes} b join activity a on a.key = b.role_key`.execute(database.db);
}

/**
 * Completes the import's staging rows once every page is in: roles not resolved during the download are, and the
 * activities and mailboxes get their keys. Returns the number of roles whose practitioner is unknown (skipped).
 */
async function buildStaging(database: Database, resolved: boolean): Promise<number> {
  if (!resolved) {
    await Promise.all([indexStagedKeys(database), uniqueKey(database, 'dir_sync_role_stg', 'key')]);
    await resolveRoles(database, 0);
  }
  await uniqueKey(database, 'dir_activity_stg', 'key');
  await uniqueKey(database, 'dir_mailbox_stg', 'key');
  const unresolved = await sql<{ n: number }>`
    select count(*)::int as n from dir_sync_role_stg r
    where not exists (select 1 from dir_activity_stg a where a.key = r.key)`.execute(database.db);
  return unresolved.rows[0]?.n ?? 0;
}

/** What a delta may deactivate: the resources it returned inactive, and the parts of those it returned whole. */
function deltaScopes(): Record<ResourceName, Scope> {
  const gone = (type: Step): RawBuilder<unknown> =>
    sql`(select key from dir_sync_gone_stg where resource = ${type})`;
  const people = sql`(select id_nat from dir_professional_stg union select key from dir_sync_gone_stg where resource = 'Practitioner')`;
  return {
    professional: sql`t.id_nat in ${gone('Practitioner')}`,
    activity: sql`(t.key in ${gone('PractitionerRole')} or t.id_nat in ${gone('Practitioner')})`,
    savoirFaire: sql`t.id_nat in ${people}`,
    diploma: sql`t.id_nat in ${people}`,
    structure: sql`t.finess in ${gone('Organization')}`,
    cabinet: sql`t.structure_id in ${gone('Organization')}`,
    equipment: sql`md5(t.key) in ${gone('HealthcareService')}`,
    mailbox: sql`(
      (t.structure_id is null and t.id_nat in ${people})
      or (t.id_nat is null and t.structure_id in (select finess from dir_structure_stg union select structure_id from dir_cabinet_stg
        union select key from dir_sync_gone_stg where resource = 'Organization'))
      or (t.id_nat is not null and t.structure_id is not null and (t.id_nat, t.structure_id) in (
        select id_nat, coalesce(finess_site, structure_id) from dir_activity_stg
        union select id_nat, coalesce(finess_site, structure_id) from dir_activity where key in ${gone('PractitionerRole')})))`,
  };
}
