import { hash } from 'node:crypto';
import { csvField } from '../../db/bulk.ts';
import type { LineBatch } from '../formats/lines.ts';
import { parseHeader, type Reject, splitRow, type TableSpec } from '../formats/table.ts';
import { type FingerprintSet, fileSeed, fingerprint, toBigint } from './fingerprints.ts';
import type { Get } from './resources.ts';

/** Checks one mapped line; returns the reason to reject it, or null. */
export type Check = (v: Get) => string | null;

/** How the lines of one `|`-separated extraction become rows of its staging table. */
export interface LineSpec {
  /** Header name in the published file → column of the staging table. */
  columns: Record<string, string>;
  key: (v: Get) => string;
  check: Check;
}

/** The staging table's columns, in the order `LineStager.stage` writes them. */
export const stagedColumns = (spec: LineSpec, hashed: boolean) => [
  'line',
  'key',
  ...Object.values(spec.columns),
  'line_hash',
  ...(hashed ? ['row_hash'] : []),
];

/** Characters for which PostgreSQL's record output quotes a field (record_out: its C `isspace` is ASCII). */
const recordQuotes = /["\\(),\t\n\v\f\r ]/;

/**
 * The content hash PostgreSQL gives the same row, `md5(row(…)::text)` (migration 0021), for fields read from a
 * line (empty is NULL): computed here, while the database loads the previous batch, rather than by a trigger per
 * row in the database. Identical by construction of record_out's rules; a property test holds it to PostgreSQL's.
 */
export function rowHash(fields: readonly string[], positions: readonly number[]): string {
  let text = '(';
  for (let i = 0; i < positions.length; i++) {
    const field = fields[positions[i] as number] as string;
    if (i > 0) text += ',';
    if (field === '') continue;
    text += recordQuotes.test(field) ? `"${field.replace(/["\\]/g, '$&$&')}"` : field;
  }
  return hash('md5', `${text})`);
}

/** Fields with none of these characters go to COPY as they are; a field cannot hold the `|` that separated it. */
const needsQuotes = /["\r\0]/;

/** A field in COPY's CSV: empty is NULL, as in every ANS extraction. */
const quoted = (field: string) => csvField(field === '' ? null : field);

/**
 * Turns the data lines of an extraction into CSV for its staging table (`|`-separated, as the file itself), a
 * batch of lines at a time and without an object per line: a national file has millions. Lines whose fingerprint
 * the mirror already serves are counted and skipped before they are split; malformed or invalid ones are rejected.
 */
export class LineStager {
  staged = 0;
  unchanged = 0;
  private readonly seed: number;
  private readonly table: TableSpec<string>;
  private readonly width: number;
  /** Position in a line's fields of each staged column, in staging order. */
  private readonly positions: number[];
  private readonly positionOf: Map<string, number>;
  private fields: string[] = [];
  private readonly get: Get = (column) => {
    const raw = this.fields[this.positionOf.get(column) ?? -1];
    return raw === undefined || raw === '' ? null : raw;
  };

  /** Reads the header line (line 1): a FormatError when a required column is missing. */
  constructor(
    private readonly file: string,
    header: string,
    private readonly spec: LineSpec,
    private readonly known: FingerprintSet,
    private readonly reject: (r: Reject) => void,
    /** Whether it writes each row's content hash; otherwise the staging trigger computes it. */
    private readonly hashed = true,
  ) {
    const headers = Object.keys(spec.columns);
    this.table = { file, separator: '|', trailingSeparator: true, columns: headers };
    const parsed = parseHeader(header, this.table);
    this.width = parsed.width;
    this.positions = headers.map((h) => parsed.index[h] as number);
    this.positionOf = new Map(
      Object.values(spec.columns).map((column, i) => [column, this.positions[i] as number]),
    );
    this.seed = fileSeed(header);
  }

  /** CSV lines for the batch's new or changed lines (empty when there are none). */
  stage({ first, texts }: LineBatch): string {
    const rows: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] as string;
      const line = first + i;
      if (text.length === 0) continue;
      const [hi, lo] = fingerprint(this.seed, text);
      const earlier = this.known.meet(hi, lo, line);
      if (earlier === 0) {
        this.unchanged++;
        continue;
      }
      if (earlier > 0) {
        this.reject({
          file: this.file,
          line,
          reason: `clé en double (déjà ligne ${earlier}) : ligne identique`,
        });
        continue;
      }
      const fields = splitRow(text, this.table, this.width);
      if (typeof fields === 'string') {
        this.reject({ file: this.file, line, reason: fields });
        continue;
      }
      this.fields = fields;
      const reason = this.spec.check(this.get);
      if (reason) {
        this.reject({ file: this.file, line, reason });
        continue;
      }
      const plain = !needsQuotes.test(text);
      if (!plain && text.includes('\0')) {
        this.reject({ file: this.file, line, reason: 'caractère NUL dans la ligne' });
        continue;
      }
      const key = this.spec.key(this.get);
      const row: string[] = [String(line), plain ? `"${key}"` : quoted(key)];
      for (const p of this.positions) row.push(plain ? (fields[p] as string) : quoted(fields[p] as string));
      row.push(toBigint(hi, lo));
      if (this.hashed) row.push(rowHash(fields, this.positions));
      rows.push(`${row.join('|')}\n`);
      this.staged++;
    }
    return rows.join('');
  }
}
