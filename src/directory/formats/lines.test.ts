import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectEncoding, FormatError, readLines } from './lines.ts';

async function* chunks(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(bytes: Uint8Array, size = 7) {
  const reader = readLines('f.txt', chunks(bytes, size));
  const out: Array<[number, string]> = [];
  for await (const line of reader) out.push([line.number, line.text]);
  return { lines: out, encoding: reader.encoding, bytesRead: reader.bytesRead };
}

const cp1252 = (text: string) =>
  Uint8Array.from(
    [...text].map((c) => ({ é: 0xe9, è: 0xe8, '’': 0x92, ç: 0xe7, É: 0xc9 })[c] ?? c.charCodeAt(0)),
  );

describe('detectEncoding', () => {
  it('tells UTF-8 from Windows-1252', () => {
    expect(detectEncoding(Buffer.from('Hôpital Saint-Éloi', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(cp1252('Hôpital Saint-Éloi'.replace('ô', 'o')))).toBe('windows-1252');
    expect(detectEncoding(Buffer.from('ascii only'))).toBe('utf-8');
  });

  it('ignores a UTF-8 character cut at the end of the sample', () => {
    const bytes = Buffer.from('abcé', 'utf8');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1))).toBe('utf-8');
  });
});

describe('readLines', () => {
  it('numbers LF and CRLF lines, strips a BOM, keeps a last line without newline', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('a|b|\r\nc|d|\n\nÉté|\r\nfin'),
    ]);
    const { lines, encoding, bytesRead } = await collect(bytes);
    expect(encoding).toBe('utf-8');
    expect(bytesRead).toBe(bytes.length);
    expect(lines).toEqual([
      [1, 'a|b|'],
      [2, 'c|d|'],
      [3, ''],
      [4, 'Été|'],
      [5, 'fin'],
    ]);
  });

  it('decodes Windows-1252', async () => {
    const { lines, encoding } = await collect(cp1252('Crèche d’Évry\nç\n'));
    expect(encoding).toBe('windows-1252');
    expect(lines).toEqual([
      [1, 'Crèche d’Évry'],
      [2, 'ç'],
    ]);
  });

  it('names the line where UTF-8 turns into something else', async () => {
    const head = Buffer.from(`${'x'.repeat(70_000)}\nligne 2\n`, 'utf8');
    const bad = Buffer.concat([head, Buffer.from('ligne 3 '), Buffer.from([0xe9]), Buffer.from('\n')]);
    await expect(collect(bad, 4096)).rejects.toThrow(FormatError);
    await expect(collect(bad, 4096)).rejects.toThrow(/f\.txt:3 : octets invalides en utf-8/);
  });

  it('gives the same lines whatever the chunk size', () => {
    fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme' }).filter((s) => !/[\r\n\uFEFF]/.test(s)),
          { maxLength: 20 },
        ),
        fc.integer({ min: 1, max: 50 }),
        async (texts, size) => {
          const bytes = Buffer.from(texts.map((t) => `${t}\n`).join(''), 'utf8');
          const { lines } = await collect(bytes, size);
          expect(lines.map(([, t]) => t)).toEqual(texts);
          expect(lines.map(([n]) => n)).toEqual(texts.map((_, i) => i + 1));
        },
      ),
    );
  });
});
