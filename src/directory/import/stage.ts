import { sql } from 'kysely';
import type { Database } from '../../db/connect.ts';
import { readFinessEquipment } from '../formats/finess-equipment.ts';
import { readFinessEtalab } from '../formats/finess-etalab.ts';
import { readFinessPlus } from '../formats/finess-plus.ts';
import { type Encoding, type Line, readLines } from '../formats/lines.ts';
import {
  diplomeColumns,
  mssanteColumns,
  personneActiviteColumns,
  savoirFaireColumns,
} from '../formats/ps-libre-acces.ts';
import { emptyFile, type Reject } from '../formats/table.ts';
import { isFiness, isSiren, isSiret, parsePpIdentity } from '../identifiers.ts';
import type { SourceFile, SourceKind } from '../sources.ts';
import { FingerprintSet, fromBigint, toBigint } from './fingerprints.ts';
import { type Check, type LineSpec, LineStager, stagedColumns } from './line-stager.ts';
import {
  activityKey,
  diplomaKey,
  equipmentKey,
  type Get,
  mailboxKey,
  type Resource,
  type ResourceName,
  resources,
  savoirFaireKey,
} from './resources.ts';

const identityCheck: Check = (v) => {
  const id = parsePpIdentity(v('id_type') ?? '', v('pp_id') ?? '', v('id_nat') ?? '');
  return id.ok ? null : id.reason;
};

const activityCheck: Check = (v) => {
  const identity = identityCheck(v);
  if (identity) return identity;
  const site = v('finess_site');
  if (site !== null && !isFiness(site)) return `FINESS site invalide « ${site} »`;
  const ej = v('finess_ej');
  if (ej !== null && !isFiness(ej)) return `FINESS juridique invalide « ${ej} »`;
  const siret = v('siret');
  if (siret && !isSiret(siret)) return `SIRET invalide « ${siret} »`;
  const siren = v('siren');
  if (siren && !isSiren(siren)) return `SIREN invalide « ${siren} »`;
  if (!v('profession_code')) return 'code profession absent';
  return null;
};

const mailboxCheck: Check = (v) => {
  const type = v('type') ?? '';
  if (!['PER', 'ORG', 'APP', 'CAB'].includes(type))
    return `type de BAL inconnu « ${type} » (PER, ORG, APP ou CAB)`;
  const address = v('adresse');
  if (!address || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address))
    return `adresse BAL invalide « ${address ?? ''} »`;
  if (v('id_nat') || v('pp_id')) return identityCheck(v);
  if (type === 'PER') return 'BAL personnelle sans identifiant de professionnel';
  return null;
};

interface TableSource extends LineSpec {
  resource: ResourceName;
}

const tableSources: Partial<Record<SourceKind, TableSource>> = {
  personneActivite: {
    columns: personneActiviteColumns,
    resource: 'activity',
    key: activityKey,
    check: activityCheck,
  },
  savoirFaire: {
    columns: savoirFaireColumns,
    resource: 'savoirFaire',
    key: savoirFaireKey,
    check: identityCheck,
  },
  diplome: {
    columns: diplomeColumns,
    resource: 'diploma',
    key: diplomaKey,
    check: identityCheck,
  },
  mssante: {
    columns: mssanteColumns,
    resource: 'mailbox',
    key: mailboxKey,
    check: mailboxCheck,
  },
};

export interface StageResult {
  file: string;
  kind: SourceKind;
  lines: number;
  staged: number;
  /** Lines the mirror already holds as they are: recognised by their fingerprint, neither parsed nor staged. */
  unchanged: number;
  /** Whether the lines were compared with the mirror's (false when it held none from a file). */
  compared: boolean;
  rejected: number;
  bytes: number;
  encoding: Encoding | undefined;
  seconds: number;
}

export interface StageProgress {
  file: string;
  lines: number;
  bytes: number;
  totalBytes: number;
}

/** Streams one file into its staging table(s) through COPY; bad lines go to `reject`, valid ones are staged. */
export async function stageSource(
  database: Database,
  source: SourceFile,
  reject: (r: Reject) => void,
  progress: (p: StageProgress) => void = () => {},
  mirror?: Promise<MirrorLines> | null,
): Promise<StageResult> {
  const started = performance.now();
  const counted = { bytes: 0 };
  const bytes = (async function* (stream: AsyncIterable<Uint8Array>) {
    for await (const chunk of stream) {
      counted.bytes += chunk.length;
      yield chunk;
    }
  })(await source.open());
  // JSON is not read as lines; the other formats are.
  const lines = source.kind === 'finessPlus' ? undefined : readLines(source.name, bytes);
  let count = 0;
  let rejected = 0;
  const onReject = (r: Reject) => {
    rejected++;
    reject(r);
  };
  const tick = (line: number) => {
    count = line;
    if (line % 10_000 === 0)
      progress({ file: source.name, lines: line, bytes: counted.bytes, totalBytes: source.size });
  };
  let staged = 0;
  let unchanged = 0;
  let compared = false;
  const spec = tableSources[source.kind];
  if (spec && lines) {
    const resource = resources[spec.resource];
    const { fingerprints: known, withoutFingerprint } = await (mirror ??
      (readMirrorLines(database, source) as Promise<MirrorLines>));
    compared = known.size > 0;
    const batches = lines.batches();
    // The header is read before COPY starts, so that a missing column stops the file with nothing sent.
    let opened = await batches.next();
    while (!opened.done && opened.value.texts.length === 0) opened = await batches.next();
    if (opened.done) throw emptyFile(source.name);
    // On PGlite, which runs in this thread, the hash costs less in Node than in its PL/pgSQL trigger; PostgreSQL
    // runs the trigger on its own core while this one parses (national staging: 35 s, against 48 s hashed here).
    const hashed = database.driver === 'pglite';
    const stager = new LineStager(
      source.name,
      opened.value.texts[0] as string,
      spec,
      known,
      onReject,
      hashed,
    );
    const head = { first: 2, texts: opened.value.texts.slice(1) };
    async function* csv() {
      for await (const batch of (async function* () {
        yield head;
        yield* batches;
      })()) {
        const text = stager.stage(batch);
        const last = batch.first + batch.texts.length - 1;
        if (Math.floor(last / 10_000) > Math.floor(count / 10_000))
          progress({ file: source.name, lines: last, bytes: counted.bytes, totalBytes: source.size });
        count = Math.max(count, last);
        if (text.length > 0) yield text;
      }
    }
    await database.bulk.copyCsv(`${resource.table}_stg`, stagedColumns(spec, hashed), csv(), '|');
    staged = stager.staged;
    unchanged = stager.unchanged;
    staged -= await settleFingerprints(database, resource, known, withoutFingerprint > 0, (line, reason) =>
      onReject({ file: source.name, line, reason }),
    );
  } else if (source.kind === 'finessEquipment' && lines) {
    const columns = resources.equipment.columns;
    async function* equipment() {
      for await (const record of readFinessEquipment(source.name, lines as AsyncIterable<Line>, onReject)) {
        tick(record.line);
        const get: Get = (column) => record.values[columns.indexOf(column)] ?? null;
        yield [record.line, equipmentKey(get), ...record.values];
      }
    }
    staged = await database.bulk.copy('dir_equipment_stg', ['line', 'key', ...columns], equipment());
  } else if (source.kind === 'finessPlus') {
    async function* structures() {
      for await (const record of readFinessPlus(source.name, bytes, onReject)) {
        tick(record.line);
        yield [record.line, ...record.values];
      }
    }
    staged = await database.bulk.copy(
      'dir_structure_stg',
      ['line', 'finess', ...resources.structure.columns],
      structures(),
    );
  } else if (lines) {
    const structureColumnsStaged = ['line', 'finess', ...resources.structure.columns];
    const geo: unknown[][] = [];
    const etalabLines = lines;
    async function* structures() {
      for await (const record of readFinessEtalab(source.name, etalabLines, onReject)) {
        tick(record.line);
        if (record.kind === 'structure') yield [record.line, ...record.values, null, null, null];
        else geo.push([record.line, ...record.values]);
      }
    }
    staged = await database.bulk.copy('dir_structure_stg', structureColumnsStaged, structures());
    await database.bulk.copy(
      'dir_structure_geo_stg',
      ['line', 'finess', 'lat', 'lon', 'coord_source'],
      geo as never,
    );
  }
  progress({ file: source.name, lines: count, bytes: counted.bytes, totalBytes: source.size });
  return {
    file: source.name,
    kind: source.kind,
    lines: count,
    staged,
    unchanged,
    compared,
    rejected,
    bytes: counted.bytes,
    encoding: lines?.encoding,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}

/** What the mirror holds of a file's rows: the fingerprints of their lines, and how many active rows have none. */
export interface MirrorLines {
  fingerprints: FingerprintSet;
  withoutFingerprint: number;
}

/** Heap blocks read per query: 64 MB of table, a few hundred thousand fingerprints. */
const sliceBlocks = 8192;

/**
 * Reads the fingerprints of the mirror's active rows fed by this file (laid end to end by PostgreSQL, 8 bytes
 * each); null for a file whose lines are not fingerprinted. The table is read in slices of blocks (TID range
 * scans, so each block is read once): on PGlite an aggregate of a whole national table would raise, for good, the
 * high-water mark of its WebAssembly memory. Started before the file is read, it can run while the previous one is.
 */
export function readMirrorLines(database: Database, source: SourceFile): Promise<MirrorLines> | null {
  const spec = tableSources[source.kind];
  if (!spec) return null;
  const table = resources[spec.resource].table;
  return (async () => {
    const size = await sql<{ blocks: number }>`
      select (pg_relation_size(${table}::regclass) / current_setting('block_size')::int)::int as blocks`.execute(
      database.db,
    );
    const blocks = size.rows[0]?.blocks ?? 0;
    const parts: Uint8Array[] = [];
    let withoutFingerprint = 0;
    for (let first = 0; first < blocks; first += sliceBlocks) {
      const { rows } = await sql<{ packed: Uint8Array | null; without: number }>`
        select string_agg(int8send(line_hash), ''::bytea) as packed,
          count(*) filter (where line_hash is null)::int as without
        from ${sql.id(table)}
        where ctid >= ${`(${first},0)`}::tid and ctid < ${`(${first + sliceBlocks},0)`}::tid and active`.execute(
        database.db,
      );
      if (rows[0]?.packed) parts.push(rows[0].packed);
      withoutFingerprint += rows[0]?.without ?? 0;
    }
    return { fingerprints: new FingerprintSet(parts), withoutFingerprint };
  })();
}

/**
 * Once a file is read: records the rows whose line it no longer has (fingerprint not met, or no fingerprint), the
 * only ones a merge may deactivate; then rejects staged lines whose key an unchanged line of the same file already
 * holds, as a full reading would have found. Returns the number of staged lines rejected.
 */
async function settleFingerprints(
  database: Database,
  r: Resource,
  known: FingerprintSet,
  unprinted: boolean,
  reject: (line: number, reason: string) => void,
): Promise<number> {
  async function* gone() {
    for (const [hi, lo] of known.unmet()) yield [r.table, toBigint(hi, lo)];
  }
  await database.bulk.copy('dir_line_gone_stg', ['tbl', 'line_hash'], gone());
  const table = sql.id(r.table);
  const key = sql.id(r.key);
  await sql`update dir_line_gone_stg g set key = t.${key} from ${table} t
    where g.tbl = ${r.table} and t.line_hash = g.line_hash and t.active`.execute(database.db);
  if (unprinted)
    await sql`insert into dir_line_gone_stg (tbl, key)
      select ${r.table}, t.${key} from ${table} t where t.active and t.line_hash is null`.execute(
      database.db,
    );
  if (known.size === 0) return 0;
  const stg = sql.id(`${r.table}_stg`);
  // Mirror rows whose line the file still has, unchanged.
  const kept = sql`t.active
    and not exists (select 1 from dir_line_gone_stg g where g.tbl = ${r.table} and g.key = t.${key})`;
  const repeated = await sql<{ line: number; key: string; hash: string }>`
    select s.line, s.${key} as key, t.line_hash::text as hash
    from ${stg} s join ${table} t on t.${key} = s.${key}
    where ${kept} order by s.line`.execute(database.db);
  if (repeated.rows.length === 0) return 0;
  for (const row of repeated.rows)
    reject(row.line, `clé en double (déjà ligne ${known.lineOf(...fromBigint(row.hash))}) : ${row.key}`);
  await sql`delete from ${stg} s using ${table} t where t.${key} = s.${key} and ${kept}`.execute(database.db);
  return repeated.rows.length;
}
