import { FormatError, type Line } from './lines.ts';

export interface TableSpec<C extends string> {
  /** File name as reported to the user. */
  file: string;
  separator: string;
  /** Every line, header included, ends with the separator (PS_LibreAcces, MSSanté). */
  trailingSeparator: boolean;
  /** Columns read by name; others are ignored, so a file that gained columns still reads. */
  columns: readonly C[];
}

export interface Reject {
  file: string;
  line: number;
  reason: string;
}

export interface TableRow {
  line: number;
  fields: string[];
}

export interface Table<C extends string> {
  /** Position of each required column in a row's fields. */
  index: Record<C, number>;
  rows: AsyncGenerator<TableRow>;
}

const simplify = (name: string) =>
  name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[’']/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/** The required columns' positions in a file's rows, read from its header line, and the number of fields a row has. */
export interface Header<C extends string> {
  index: Record<C, number>;
  width: number;
}

/** The error for a file without even a header line. */
export const emptyFile = (file: string) =>
  new FormatError(file, 1, 'fichier vide : ligne d’en-tête attendue');

/** Reads the header line and checks that every required column is there (by name, not position). */
export function parseHeader<C extends string>(text: string, spec: TableSpec<C>): Header<C> {
  const header = splitFields(text, spec, () => {
    throw new FormatError(spec.file, 1, `l’en-tête ne se termine pas par « ${spec.separator} »`);
  }).map((h) => h.trim());
  const positions = new Map(header.map((name, i) => [name, i]));
  const missing = spec.columns.filter((c) => !positions.has(c));
  if (missing.length > 0) {
    const unknown = header.filter((h) => !spec.columns.includes(h as C));
    const hints = missing.map((m) => {
      const near = unknown.find((u) => simplify(u) === simplify(m));
      return near ? `« ${m} » (trouvée sous la forme « ${near} »)` : `« ${m} »`;
    });
    throw new FormatError(
      spec.file,
      1,
      `colonne${missing.length > 1 ? 's' : ''} absente${missing.length > 1 ? 's' : ''} : ${hints.join(', ')}`,
    );
  }
  const index = Object.fromEntries(spec.columns.map((c) => [c, positions.get(c) as number])) as Record<
    C,
    number
  >;
  return { index, width: header.length };
}

/** A data line's fields, or the reason it is malformed: no trailing separator, or not as many fields as the header. */
export function splitRow(text: string, spec: TableSpec<string>, width: number): string[] | string {
  let malformed = false;
  const fields = splitFields(text, spec, () => {
    malformed = true;
  });
  if (malformed) return `la ligne ne se termine pas par « ${spec.separator} »`;
  if (fields.length !== width) return `${fields.length} champs au lieu de ${width}`;
  return fields;
}

/**
 * Reads the header (parseHeader), then yields data lines whose field count matches it. A line with another count
 * goes to `reject` and is skipped.
 */
export async function openTable<C extends string>(
  lines: AsyncIterable<Line>,
  spec: TableSpec<C>,
  reject: (r: Reject) => void,
): Promise<Table<C>> {
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw emptyFile(spec.file);
  const { index, width } = parseHeader(first.value.text, spec);

  async function* rows(): AsyncGenerator<TableRow> {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const { number, text } = next.value;
      if (text.length === 0) continue;
      const fields = splitRow(text, spec, width);
      if (typeof fields === 'string') reject({ file: spec.file, line: number, reason: fields });
      else yield { line: number, fields };
    }
  }
  return { index, rows: rows() };
}

function splitFields(text: string, spec: TableSpec<string>, onMissingTrailer: () => void): string[] {
  const fields = text.split(spec.separator);
  if (spec.trailingSeparator) {
    if (fields.length < 2 || fields[fields.length - 1] !== '') onMissingTrailer();
    else fields.pop();
  }
  return fields;
}

/** Empty field = null, as in every ANS extraction. */
export function value(fields: string[], i: number): string | null {
  const v = fields[i];
  return v === undefined || v === '' ? null : v;
}
