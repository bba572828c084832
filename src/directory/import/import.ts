import { type RawBuilder, sql } from 'kysely';
import { appendEvent } from '../../audit/append.ts';
import type { AuditEventInput } from '../../audit/event.ts';
import type { Database } from '../../db/connect.ts';
import { FormatError } from '../formats/lines.ts';
import type { Reject } from '../formats/table.ts';
import { snapshotChanged } from '../snapshot.ts';
import { collectSources, type SourceFile } from '../sources.ts';
import {
  dropDuplicates,
  guardLine,
  guardRefusal,
  indexStaging,
  type MergeCounts,
  mergeResource,
  refreshStatistics,
  resetStaging,
  type Scope,
} from './merge.ts';
import { type Resource, type ResourceName, resources } from './resources.ts';
import { readMirrorLines, type StageProgress, type StageResult, stageSource } from './stage.ts';

export interface ImportOptions {
  /** Share of a resource's active rows a generation may deactivate (default 15 %). */
  maxDeactivation?: number;
  acceptMassChange?: boolean;
  /** Rejected lines tolerated before the import is refused (default 0: any bad line stops it). */
  maxRejects?: number;
  onProgress?: (p: StageProgress) => void;
  /** Who asked for the import, for the audit trail. */
  actor?: AuditEventInput['actor'];
}

export interface ResourceReport extends MergeCounts {
  staged: number;
  active: number;
}

export interface ImportReport {
  id: number | null;
  status: 'success' | 'refused' | 'failed';
  /** One French sentence saying what happened. */
  message: string;
  sources: StageResult[];
  rejects: Reject[];
  rejectCount: number;
  resources: Partial<Record<ResourceName, ResourceReport>>;
  guard: Array<{ resource: ResourceName; active: number; missing: number; share: number }>;
  seconds: number;
  /** Seconds spent loading the files, checking the generation and merging it. */
  phases: { staging: number; checks: number; merge: number };
}

const keptRejects = 1000;

/**
 * Imports extraction files into the mirror. Files are staged with COPY, checked (bad lines, duplicated keys,
 * deletion guard), then merged in one transaction: until it commits, the previous generation is what is served,
 * and a crash at any point leaves it intact.
 */
export async function importDirectory(
  database: Database,
  paths: readonly string[],
  options: ImportOptions = {},
): Promise<ImportReport> {
  const started = performance.now();
  const maxShare = options.maxDeactivation ?? 0.15;
  const maxRejects = options.maxRejects ?? 0;
  const report: ImportReport = {
    id: null,
    status: 'failed',
    message: '',
    sources: [],
    rejects: [],
    rejectCount: 0,
    resources: {},
    guard: [],
    seconds: 0,
    phases: { staging: 0, checks: 0, merge: 0 },
  };
  let phaseStart = performance.now();
  const endPhase = (phase: keyof ImportReport['phases']) => {
    const now = performance.now();
    report.phases[phase] = Math.round((now - phaseStart) / 10) / 100;
    phaseStart = now;
  };
  const reject = (r: Reject) => {
    report.rejectCount++;
    if (report.rejects.length < keptRejects) report.rejects.push(r);
  };
  const finish = async (status: ImportReport['status'], message: string) => {
    report.status = status;
    report.message = message;
    report.seconds = Math.round((performance.now() - started) / 10) / 100;
    if (report.id !== null)
      await database.db
        .updateTable('dir_import')
        .set({
          status,
          finished_at: new Date(),
          report: JSON.stringify({ ...report, rejects: report.rejects.slice(0, 100) }),
        })
        .where('id', '=', report.id)
        .execute();
    snapshotChanged(database);
    await appendEvent(database, {
      action: 'directory.import',
      outcome: status === 'success' ? 'success' : status === 'refused' ? 'denied' : 'failure',
      actor: options.actor ?? { kind: 'system' },
      subject: report.id === null ? null : { type: 'directory-import', id: String(report.id) },
      details: {
        sources: report.sources.map((s) => s.file),
        rejected: report.rejectCount,
        resources: report.resources,
        guard: report.guard,
        reason: status === 'success' ? null : message,
      },
    });
    return report;
  };

  let sources: SourceFile[];
  try {
    sources = await collectSources(paths);
  } catch (error) {
    if (error instanceof FormatError) return finish('failed', error.message);
    throw error;
  }
  if (sources.length === 0) return finish('failed', 'Aucun fichier à importer.');

  return database.withLock('directory-import', async () => {
    // Under the lock, a row still "running" belongs to an importer that died (crash, SIGKILL).
    await database.db
      .updateTable('dir_import')
      .set({
        status: 'failed',
        finished_at: new Date(),
        report: JSON.stringify({ message: 'Import interrompu avant sa fin.' }),
      })
      .where('status', '=', 'running')
      .execute();
    const inserted = await database.db
      .insertInto('dir_import')
      .values({
        status: 'running',
        sources: JSON.stringify(sources.map((s) => ({ file: s.name, stamp: s.stamp }))),
        report: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    report.id = inserted.id;

    const kinds = new Set(sources.map((s) => s.kind));
    const touched = Object.values(resources).filter((r) => r.sources.some((k) => kinds.has(k)));
    for (const r of touched) await resetStaging(database.db, r);
    await sql`truncate dir_structure_geo_stg, dir_line_gone_stg`.execute(database.db);

    try {
      // The mirror's fingerprints for the next file are read while this one is.
      const mirrorLines = (i: number) => {
        const read = sources[i] ? readMirrorLines(database, sources[i]) : null;
        read?.catch(() => {});
        return read;
      };
      let next = mirrorLines(0);
      for (let i = 0; i < sources.length; i++) {
        const mirror = next;
        next = mirrorLines(i + 1);
        report.sources.push(
          await stageSource(database, sources[i] as SourceFile, reject, options.onProgress, mirror),
        );
      }
    } catch (error) {
      if (error instanceof FormatError) return finish('failed', `Import interrompu : ${error.message}`);
      const message = error instanceof Error ? error.message : String(error);
      return finish('failed', `Import interrompu : ${message}`);
    }

    endPhase('staging');
    // Each professional and each cabinet is described by the first activity line that names it.
    if (kinds.has('personneActivite'))
      for (const { resource: r, named } of fromActivities)
        await sql`insert into ${sql.table(`${r.table}_stg`)} (line, ${sql.ref(r.key)}, ${sql.join(r.columns.map((c) => sql.ref(c)))})
          select distinct on (a.${sql.ref(r.key)}) a.line, a.${sql.ref(r.key)}, ${sql.join(r.columns.map((c) => sql.ref(`a.${c}`)))}
          from dir_activity_stg a where ${named('a')} order by a.${sql.ref(r.key)}, a.line`.execute(
          database.db,
        );
    if (kinds.has('finessEtalab'))
      await sql`update dir_structure_stg s set lat = g.lat, lon = g.lon, coord_source = g.coord_source
        from dir_structure_geo_stg g where g.finess = s.finess`.execute(database.db);

    for (const r of touched) {
      const unique = await indexStaging(database.db, r);
      const sourceName = report.sources.find((s) => r.sources.includes(s.kind))?.file ?? r.table;
      if (!unique)
        for (const d of await dropDuplicates(database.db, r))
          reject({
            file: sourceName,
            line: d.line,
            reason: `clé en double (déjà ligne ${d.first}) : ${d.key}`,
          });
    }

    if (report.rejectCount > maxRejects)
      return finish(
        'failed',
        `${report.rejectCount} ligne(s) rejetée(s) (au plus ${maxRejects} admises) : la génération précédente reste en service.`,
      );

    const scopes = deltaScopes(report.sources);
    for (const derived of fromActivities)
      if (scopes[derived.resource.name]) await goneOwners(database, derived);
    for (const r of touched) report.guard.push(await guardLine(database.db, r, scopes[r.name]));
    const refusal = guardRefusal(report.guard, maxShare);
    if (refusal && !options.acceptMassChange) return finish('refused', refusal);

    endPhase('checks');
    const now = new Date();
    const id = report.id as number;
    await database.db.transaction().execute(async (trx) => {
      for (const r of touched) {
        const counts = await mergeResource(trx, r, id, now, scopes[r.name]);
        const staged = await sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.raw(`${r.table}_stg`)}`.execute(trx);
        const active = await sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.raw(r.table)} where active`.execute(trx);
        report.resources[r.name] = {
          ...counts,
          staged: staged.rows[0]?.n ?? 0,
          active: active.rows[0]?.n ?? 0,
        };
      }
    });
    await Promise.all(touched.map((r) => refreshStatistics(database.db, r, report.resources[r.name])));
    endPhase('merge');
    // Staging is only useful during an import; emptying it frees the space of a national generation.
    for (const r of touched) await resetStaging(database.db, r);
    await sql`truncate dir_line_gone_stg`.execute(database.db);
    return finish('success', summary(report, touched));
  });
}

/**
 * What each merge may deactivate. A file compared with the mirror's fingerprints staged only its new and changed
 * lines: the rows it may deactivate are those whose line it no longer has (`dir_line_gone_stg`), and a professional
 * or a cabinet only when none of their activity lines is left unchanged (listed there too by `goneOwners`).
 */
function deltaScopes(sources: StageResult[]): Partial<Record<ResourceName, Scope>> {
  const scopes: Partial<Record<ResourceName, Scope>> = {};
  for (const r of Object.values(resources)) {
    const compared = (name: ResourceName) =>
      sources.some((s) => s.compared && resources[name].sources.includes(s.kind));
    const delta = r.fingerprinted
      ? compared(r.name)
      : fromActivities.some((d) => d.resource === r) && compared('activity');
    if (delta)
      scopes[r.name] = sql`t.${sql.id(r.key)} in (select key from dir_line_gone_stg where tbl = ${r.table})`;
  }
  return scopes;
}

/**
 * Resources derived from the activity lines, each row named by its key column on the lines that `named` keeps
 * (alias given): professionals by their idNat_PS, cabinets by the structure identifier of lines without FINESS.
 */
const fromActivities: Array<{ resource: Resource; named: (alias: string) => RawBuilder<unknown> }> = [
  { resource: resources.professional, named: () => sql`true` },
  {
    resource: resources.cabinet,
    named: (alias) =>
      sql`${sql.ref(`${alias}.finess_site`)} is null and ${sql.ref(`${alias}.structure_id`)} is not null`,
  },
];

/** Rows of a resource derived from the activities whose every active activity line is gone from the file. */
async function goneOwners(
  database: Database,
  { resource: r, named }: (typeof fromActivities)[number],
): Promise<void> {
  const key = (alias: string) => sql.ref(`${alias}.${r.key}`);
  await sql`insert into dir_line_gone_stg (tbl, key)
    select distinct ${r.table}, ${key('a')} from dir_line_gone_stg g join dir_activity a on a.key = g.key
    where g.tbl = 'dir_activity' and ${named('a')}
      and not exists (select 1 from dir_activity k where ${key('k')} = ${key('a')} and ${named('k')} and k.active
        and not exists (select 1 from dir_line_gone_stg x where x.tbl = 'dir_activity' and x.key = k.key))`.execute(
    database.db,
  );
}

function summary(report: ImportReport, touched: Resource[]): string {
  const parts = touched.map((r) => {
    const c = report.resources[r.name];
    return c ? `${r.label} : ${c.created} créés, ${c.changed} modifiés, ${c.deactivated} désactivés` : '';
  });
  return `Import réussi (${parts.join(' ; ')}).`;
}
