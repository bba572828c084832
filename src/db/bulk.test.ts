import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyStatement, csvField, csvLine } from './bulk.ts';

/** Minimal RFC 4180 reader used only to check that what we write reads back identically. */
function readCsvLine(line: string): Array<string | null> {
  const out: Array<string | null> = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      out.push(value);
    } else {
      const end = line.indexOf(',', i);
      const raw = line.slice(i, end === -1 ? line.length : end);
      out.push(raw === '' ? null : raw);
      i = end === -1 ? line.length : end;
    }
    i++;
  }
  return out;
}

describe('csv encoding for COPY', () => {
  it('keeps NULL apart from the empty string', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField(undefined)).toBe('');
  });

  it('encodes scalars and objects', () => {
    expect(csvField(12)).toBe('12');
    expect(csvField(true)).toBe('t');
    expect(csvField(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000Z');
    expect(csvField({ a: '"x"' })).toBe('"{""a"":""\\""x\\""""}"');
  });

  it('round-trips any text, including quotes, commas and new lines', () => {
    const text = fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 6 }), (row) => {
        const line = csvLine(row, row.length);
        expect(readCsvLine(line.slice(0, -1))).toEqual(row);
      }),
    );
  });

  it('refuses NUL characters and rows of the wrong width', () => {
    expect(() => csvField('a\0b')).toThrow(/NUL/);
    expect(() => csvLine(['a'], 2)).toThrow(/1 valeurs pour 2 colonnes/);
  });

  it('refuses identifiers that could inject SQL', () => {
    expect(copyStatement('audit_event', ['a', 'b'], 'STDIN')).toBe(
      'COPY audit_event (a, b) FROM STDIN WITH (FORMAT csv)',
    );
    expect(() => copyStatement('t; drop table x', ['a'], 'STDIN')).toThrow(/refusé/);
    expect(() => copyStatement('t', ['a"b'], 'STDIN')).toThrow(/refusé/);
  });
});
