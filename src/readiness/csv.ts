import { detectEncoding } from '../directory/formats/lines.ts';

/** Text of an uploaded file: UTF-8 or Windows-1252 (what spreadsheets export in France), detected, never assumed. */
export function decodeText(bytes: Uint8Array): string {
  const text = new TextDecoder(detectEncoding(bytes)).decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export interface CsvRecord {
  /** Line of the file where the record starts (1 = the header). */
  line: number;
  cells: string[];
}

/** The separator of the header line: `;` (French spreadsheets), `,` or a tab, whichever appears most. */
export function detectSeparator(text: string): string {
  const end = text.search(/\r?\n/);
  const header = end === -1 ? text : text.slice(0, end);
  const counts = [';', ',', '\t'].map((s) => [s, header.split(s).length] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

/**
 * RFC 4180 records: quoted cells may hold the separator, doubled quotes and line breaks. Empty lines are
 * skipped; each record keeps the line it starts on so that errors can name it.
 */
export function readCsv(text: string, separator = detectSeparator(text)): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let touched = false;
  const endRecord = () => {
    cells.push(cell);
    if (touched || cells.length > 1 || cell !== '') records.push({ line: start, cells });
    cells = [];
    cell = '';
    touched = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') {
      quoted = true;
      touched = true;
    } else if (c === separator) {
      cells.push(cell);
      cell = '';
      touched = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length > 0 || touched) endRecord();
  return records;
}
