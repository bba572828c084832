import { describe, expect, it } from 'vitest';
import type { Line } from './lines.ts';
import { openTable, type Reject, value } from './table.ts';

async function* lines(...texts: string[]): AsyncGenerator<Line> {
  let number = 0;
  for (const text of texts) yield { number: ++number, text };
}

const spec = {
  file: 'f.txt',
  separator: '|',
  trailingSeparator: true,
  columns: ['Nom', 'Code profession'] as const,
};

describe('openTable', () => {
  it('maps columns by name, whatever their order, and ignores extra columns', async () => {
    const rejects: Reject[] = [];
    const table = await openTable(
      lines('Extra|Code profession|Nom|', 'x|10|DUPONT|', '', 'y||MARTIN|'),
      spec,
      (r) => rejects.push(r),
    );
    expect(table.index).toEqual({ Nom: 2, 'Code profession': 1 });
    const rows = [];
    for await (const row of table.rows) rows.push(row);
    expect(rows).toEqual([
      { line: 2, fields: ['x', '10', 'DUPONT'] },
      { line: 4, fields: ['y', '', 'MARTIN'] },
    ]);
    expect(value(rows[1]!.fields, 1)).toBeNull();
    expect(rejects).toEqual([]);
  });

  it('names missing columns and spots a renamed one', async () => {
    await expect(openTable(lines('Nom|Code Profession|'), spec, () => {})).rejects.toThrow(
      'f.txt:1 : colonne absente : « Code profession » (trouvée sous la forme « Code Profession »)',
    );
    await expect(openTable(lines('A|B|'), spec, () => {})).rejects.toThrow(
      /colonnes absentes : « Nom », « Code profession »/,
    );
    await expect(openTable(lines(), spec, () => {})).rejects.toThrow(/fichier vide/);
    await expect(openTable(lines('Nom|Code profession'), spec, () => {})).rejects.toThrow(
      /ne se termine pas par « \| »/,
    );
  });

  it('rejects lines of the wrong width or without the trailing separator, with their number', async () => {
    const rejects: Reject[] = [];
    const table = await openTable(lines('Nom|Code profession|', 'A|1|', 'B|2|3|', 'C|3', 'D|4|'), spec, (r) =>
      rejects.push(r),
    );
    const kept = [];
    for await (const row of table.rows) kept.push(row.line);
    expect(kept).toEqual([2, 5]);
    expect(rejects).toEqual([
      { file: 'f.txt', line: 3, reason: '3 champs au lieu de 2' },
      { file: 'f.txt', line: 4, reason: 'la ligne ne se termine pas par « | »' },
    ]);
  });
});
