import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, detectSeparator, readCsv } from './csv.ts';

describe('CSV reading', () => {
  it('reads quoted cells with separators, doubled quotes and line breaks, and keeps line numbers', () => {
    const text = 'a;b;c\r\n1;"x;y";"il dit ""oui"""\n\n2;"deux\nlignes";z\n3;;\n';
    expect(readCsv(text)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'x;y', 'il dit "oui"'] },
      { line: 4, cells: ['2', 'deux\nlignes', 'z'] },
      { line: 6, cells: ['3', '', ''] },
    ]);
  });

  it('detects the separator of the header line', () => {
    expect(detectSeparator('nom;prénom;fonction\n')).toBe(';');
    expect(detectSeparator('nom,prénom\n')).toBe(',');
    expect(detectSeparator('nom\tprénom\tx\n')).toBe('\t');
  });

  it('decodes UTF-8 (with or without BOM) and Windows-1252', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0xc3, 0xa9]))).toBe('é');
    expect(decodeText(new Uint8Array([0x50, 0xe8, 0x72, 0x65]))).toBe('Père');
  });

  it('round-trips any table written with quotes', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'é', ';', '"', '\n', ' ', '1') });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        (rows) => {
          const text = rows.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(';')).join('\r\n');
          expect(readCsv(text, ';').map((r) => r.cells)).toEqual(rows);
        },
      ),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string(), (text) => void readCsv(text)));
  });
});
