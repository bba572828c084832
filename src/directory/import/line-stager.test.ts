import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reject } from '../formats/table.ts';
import { FingerprintSet, fileSeed, fingerprint, toBigint } from './fingerprints.ts';
import { type LineSpec, LineStager, stagedColumns } from './line-stager.ts';

const spec: LineSpec = {
  columns: { Identifiant: 'id', Nom: 'nom', Ville: 'ville' },
  key: (v) => `${v('id')}|${v('ville') ?? ''}`,
  check: (v) => (v('id') ? null : 'identifiant absent'),
};
const header = 'Ignorée|Ville|Nom|Identifiant|';

function known(...lines: string[]): FingerprintSet {
  const bytes = new Uint8Array(lines.length * 8);
  const view = new DataView(bytes.buffer);
  lines.forEach((line, i) => {
    const [hi, lo] = fingerprint(fileSeed(header), line);
    view.setUint32(i * 8, hi);
    view.setUint32(i * 8 + 4, lo);
  });
  return new FingerprintSet(bytes);
}

/** PostgreSQL's reading of COPY CSV with `|` as delimiter: unquoted empty is NULL, quotes doubled inside quotes. */
function readCsv(text: string): Array<Array<string | null>> {
  const rows: Array<Array<string | null>> = [];
  let row: Array<string | null> = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        value += text.slice(i, quote);
        i = quote + 1;
        if (text[i] !== '"') break;
        value += '"';
        i++;
      }
      row.push(value);
    } else {
      let end = i;
      while (text[end] !== '|' && text[end] !== '\n') end++;
      const raw = text.slice(i, end);
      expect(raw).not.toMatch(/["\r\0]/);
      row.push(raw === '' ? null : raw);
      i = end;
    }
    if (text[i] === '\n') {
      rows.push(row);
      row = [];
    }
    i++;
  }
  return rows;
}

describe('LineStager', () => {
  it('stages new lines in staging order, skips unchanged ones and rejects bad ones with their line', () => {
    const rejects: Reject[] = [];
    const stager = new LineStager('f.txt', header, spec, known('x|Paris|Durand|1|'), (r) => rejects.push(r));
    expect(stagedColumns(spec, true)).toEqual(['line', 'key', 'id', 'nom', 'ville', 'line_hash', 'row_hash']);
    const csv = stager.stage({
      first: 2,
      texts: [
        'x|Paris|Durand|1|',
        'y|Lyon|Martin|2|',
        '',
        'z||Petit||',
        'x|Paris|Durand|1|',
        'a|b|',
        'a|b|c|3',
      ],
    });
    expect(readCsv(csv)).toEqual([
      [
        '3',
        '2|Lyon',
        '2',
        'Martin',
        'Lyon',
        toBigint(...fingerprint(fileSeed(header), 'y|Lyon|Martin|2|')),
        createHash('md5').update('(2,Martin,Lyon)').digest('hex'),
      ],
    ]);
    expect(rejects).toEqual([
      { file: 'f.txt', line: 5, reason: 'identifiant absent' },
      { file: 'f.txt', line: 6, reason: 'clé en double (déjà ligne 2) : ligne identique' },
      { file: 'f.txt', line: 7, reason: '2 champs au lieu de 4' },
      { file: 'f.txt', line: 8, reason: 'la ligne ne se termine pas par « | »' },
    ]);
    expect([stager.staged, stager.unchanged]).toEqual([1, 1]);
    // Without its hash (PostgreSQL's trigger computes it), the row ends with the line's fingerprint.
    const unhashed = new LineStager('f.txt', header, spec, known(), () => {}, false);
    expect(stagedColumns(spec, false)).toEqual(['line', 'key', 'id', 'nom', 'ville', 'line_hash']);
    expect(readCsv(unhashed.stage({ first: 3, texts: ['y|Lyon|Martin|2|'] }))).toEqual([
      ['3', '2|Lyon', '2', 'Martin', 'Lyon', toBigint(...fingerprint(fileSeed(header), 'y|Lyon|Martin|2|'))],
    ]);
  });

  it('names the missing column of the header', () => {
    expect(() => new LineStager('f.txt', 'Ville|Nom|', spec, known(), () => {})).toThrow(
      /f\.txt:1 : colonne absente : « Identifiant »/,
    );
  });

  it('writes CSV that reads back as the fields, empty ones as NULL, whatever they hold', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', '"', ',', '\\', '\r', ' ', '😀', 'N') });
    fc.assert(
      fc.property(fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 10 }), (rows) => {
        const texts = rows.map(([nom, ville], i) => `-|${ville}|${nom}|${i + 1}|`);
        const rejects: Reject[] = [];
        const csv = new LineStager('f.txt', header, spec, known(), (r) => rejects.push(r)).stage({
          first: 2,
          texts,
        });
        expect(rejects).toEqual([]);
        const read = readCsv(csv);
        expect(read.map((r) => r.slice(2, 5))).toEqual(
          rows.map(([nom, ville], i) => [String(i + 1), nom || null, ville || null]),
        );
        expect(read.map((r) => r[1])).toEqual(rows.map(([, ville], i) => `${i + 1}|${ville}`));
      }),
    );
  });
});
