import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Mutex } from './mutex.ts';

export type Row = readonly unknown[];
export type Rows = Iterable<Row> | AsyncIterable<Row>;

/** Loads rows into a table with PostgreSQL's COPY, the fast path for directory files and benchmarks. */
export interface BulkLoader {
  /** Returns the number of rows loaded. Runs outside any transaction: load into staging tables, then swap. */
  copy(table: string, columns: readonly string[], rows: Rows): Promise<number>;
  /**
   * Loads CSV text the caller wrote, fields separated by `delimiter`, in pieces of any length made of whole lines:
   * for millions of lines whose fields need no quoting, writing them is cheaper than going through `copy`.
   */
  copyCsv(
    table: string,
    columns: readonly string[],
    text: AsyncIterable<string>,
    delimiter?: Delimiter,
  ): Promise<void>;
}

/** `|` for the ANS extractions, whose fields cannot hold the `|` that delimited them. */
export type Delimiter = ',' | '|';

const identifier = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

export function copyStatement(
  table: string,
  columns: readonly string[],
  source: string,
  delimiter: Delimiter = ',',
): string {
  for (const name of [table, ...columns]) {
    if (!identifier.test(name)) throw new Error(`Identifiant SQL refusé pour COPY : ${JSON.stringify(name)}`);
  }
  if (columns.length === 0) throw new Error('COPY sans colonne');
  const options = delimiter === ',' ? '' : `, DELIMITER '${delimiter}'`;
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv${options})`;
}

const needsEscape = /["\0]/;

/** One CSV field: NULL is an unquoted empty field, every string is quoted so that '' stays an empty string. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  else if (typeof value === 'boolean') return value ? 't' : 'f';
  else if (value instanceof Date) return value.toISOString();
  else text = JSON.stringify(value);
  // One scan for the common case: nothing to escape.
  if (!needsEscape.test(text)) return `"${text}"`;
  if (text.includes('\0')) throw new Error('Caractère NUL refusé dans une valeur chargée par COPY');
  return `"${text.replaceAll('"', '""')}"`;
}

export function csvLine(row: Row, width: number): string {
  if (row.length !== width) throw new Error(`Ligne de ${row.length} valeurs pour ${width} colonnes`);
  let line = csvField(row[0]);
  for (let i = 1; i < width; i++) line += `,${csvField(row[i])}`;
  return `${line}\n`;
}

/** Rows as CSV text, a few kilobytes at a time. */
async function* csvLines(rows: Rows, width: number, counter: { n: number }): AsyncGenerator<string> {
  let text = '';
  for await (const row of rows) {
    counter.n++;
    text += csvLine(row, width);
    if (text.length >= 16 * 1024) {
      yield text;
      text = '';
    }
  }
  if (text.length > 0) yield text;
}

/**
 * CSV text in chunks of about `chunkBytes`, written into buffers as it comes: a chunk built by string
 * concatenation keeps every piece alive until it is flushed, and on PGlite's megabyte chunks that garbage
 * outlived the young generation and grew the heap by hundreds of megabytes.
 */
async function* chunked(text: AsyncIterable<string>, chunkBytes: number) {
  let buffer = Buffer.allocUnsafe(chunkBytes);
  let used = 0;
  for await (const piece of text) {
    // At most three bytes of UTF-8 per UTF-16 unit.
    const room = piece.length * 3;
    if (used + room > buffer.length) {
      if (used > 0) yield buffer.subarray(0, used);
      buffer = Buffer.allocUnsafe(Math.max(chunkBytes, room));
      used = 0;
    }
    used += buffer.write(piece, used);
  }
  if (used > 0) yield buffer.subarray(0, used);
}

/** Rows loaded as the CSV each driver's `copyCsv` sends. */
abstract class CsvBulkLoader implements BulkLoader {
  abstract copyCsv(
    table: string,
    columns: readonly string[],
    text: AsyncIterable<string>,
    delimiter?: Delimiter,
  ): Promise<void>;

  async copy(table: string, columns: readonly string[], rows: Rows): Promise<number> {
    const counter = { n: 0 };
    await this.copyCsv(table, columns, csvLines(rows, columns.length, counter));
    return counter.n;
  }
}

export class PostgresBulkLoader extends CsvBulkLoader {
  constructor(private readonly pool: pg.Pool) {
    super();
  }

  async copyCsv(
    table: string,
    columns: readonly string[],
    text: AsyncIterable<string>,
    delimiter?: Delimiter,
  ) {
    const statement = copyStatement(table, columns, 'STDIN', delimiter);
    const client = await this.pool.connect();
    try {
      await pipeline(Readable.from(chunked(text, 64 * 1024)), client.query(copyFrom(statement)));
    } finally {
      client.release();
    }
  }
}

/** PGlite reads COPY input from a virtual `/dev/blob`: rows are sent in blobs of a few megabytes. */
export class PGliteBulkLoader extends CsvBulkLoader {
  constructor(
    private readonly pglite: PGlite,
    private readonly connection: Mutex,
    private readonly blobBytes = 2 * 1024 * 1024,
  ) {
    super();
  }

  async copyCsv(
    table: string,
    columns: readonly string[],
    text: AsyncIterable<string>,
    delimiter?: Delimiter,
  ) {
    const statement = copyStatement(table, columns, "'/dev/blob'", delimiter);
    for await (const chunk of chunked(text, this.blobBytes)) {
      await this.connection.run(() => this.pglite.query(statement, [], { blob: new Blob([chunk]) }));
    }
  }
}
