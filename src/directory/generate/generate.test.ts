import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFinessEquipment } from '../formats/finess-equipment.ts';
import { readFinessEtalab } from '../formats/finess-etalab.ts';
import { readLines } from '../formats/lines.ts';
import { personneActiviteColumns } from '../formats/ps-libre-acces.ts';
import { openTable, type Reject } from '../formats/table.ts';
import { parsePpIdentity } from '../identifiers.ts';
import { collectSources, type SourceFile } from '../sources.ts';
import { encodeCp1252, type GeneratedDay, generateDirectory } from './generate.ts';
import type { Profile } from './population.ts';

const tiny: Profile = {
  persons: 400,
  structures: 40,
  departure: 0.02,
  arrival: 0.02,
  move: 0.03,
  closure: 0.03,
};

async function rowsOf(source: SourceFile, columns: Record<string, string>) {
  const rejects: Reject[] = [];
  const lines = readLines(source.name, await source.open());
  const table = await openTable(
    lines,
    { file: source.name, separator: '|', trailingSeparator: true, columns: Object.keys(columns) },
    (r) => rejects.push(r),
  );
  const rows: string[][] = [];
  for await (const row of table.rows) rows.push(row.fields);
  return { rows, rejects, index: table.index, encoding: lines.encoding };
}

describe('directory generator', () => {
  let out: string;
  let days: GeneratedDay[];
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'confiance-gen-'));
    days = await generateDirectory({ profile: tiny, seed: 7, days: 3, out });
  });

  it('writes the published file names, one folder a day', () => {
    expect(days.map((d) => d.stamp)).toEqual(['202611020400', '202611030400', '202611040400']);
    expect(days[0]?.files).toEqual([
      'PS_LibreAcces_202611020400.zip',
      'Extraction_Correspondance_MSSante_202611020400.zip',
      'etalab-cs1100507-stock-20261102-0400.csv',
      'etalab-cs1100505-stock-20261102-0400.csv',
    ]);
  });

  it('is deterministic for a seed', async () => {
    const again = mkdtempSync(join(tmpdir(), 'confiance-gen-'));
    await generateDirectory({ profile: tiny, seed: 7, days: 1, out: again });
    const digest = (dir: string, file: string) =>
      createHash('sha256')
        .update(readFileSync(join(dir, file)))
        .digest('hex');
    for (const file of days[0]?.files ?? [])
      expect(digest(join(again, '20261102'), file)).toBe(digest(days[0]?.dir ?? '', file));
    const other = mkdtempSync(join(tmpdir(), 'confiance-gen-'));
    await generateDirectory({ profile: tiny, seed: 8, days: 1, out: other });
    expect(digest(join(other, '20261102'), 'PS_LibreAcces_202611020400.zip')).not.toBe(
      digest(days[0]?.dir ?? '', 'PS_LibreAcces_202611020400.zip'),
    );
  });

  it('writes files our readers accept without a single reject, with valid identifiers', async () => {
    const sources = await collectSources([days[0]?.dir ?? '']);
    expect(sources.map((s) => s.kind).sort()).toEqual([
      'diplome',
      'finessEquipment',
      'finessEtalab',
      'mssante',
      'personneActivite',
      'savoirFaire',
    ]);
    const activities = sources.find((s) => s.kind === 'personneActivite') as SourceFile;
    const { rows, rejects, index: positions, encoding } = await rowsOf(activities, personneActiviteColumns);
    const at = (name: string) => (positions as Record<string, number>)[name] as number;
    expect(encoding).toBe('utf-8');
    expect(rejects).toEqual([]);
    expect(rows.length).toBeGreaterThan(400);
    for (const f of rows) {
      const id = parsePpIdentity(
        f[at("Type d'identifiant PP")] ?? '',
        f[at('Identifiant PP')] ?? '',
        f[at('Identification nationale PP')] ?? '',
      );
      expect(id.ok).toBe(true);
    }
    const types = new Set(rows.map((f) => f[at("Type d'identifiant PP")]));
    expect(types).toEqual(new Set(['8', '0']));
    const departements = new Set(rows.map((f) => f[at('Code Département (structure)')]));
    expect(departements.size).toBeGreaterThan(50);

    const finess = sources.find((s) => s.kind === 'finessEtalab') as SourceFile;
    const finessLines = readLines(finess.name, await finess.open());
    const finessRejects: Reject[] = [];
    let structures = 0;
    let located = 0;
    for await (const r of readFinessEtalab(finess.name, finessLines, (x) => finessRejects.push(x))) {
      if (r.kind === 'structure') structures++;
      else if (r.values[1] !== null) located++;
    }
    expect(finessLines.encoding).toBe('windows-1252');
    expect(finessRejects).toEqual([]);
    expect(structures).toBeGreaterThan(30);
    expect(located).toBe(structures);

    const equipmentFile = sources.find((s) => s.kind === 'finessEquipment') as SourceFile;
    const equipmentLines = readLines(equipmentFile.name, await equipmentFile.open());
    const equipmentRejects: Reject[] = [];
    const disciplines = new Set<string | null>();
    for await (const r of readFinessEquipment(equipmentFile.name, equipmentLines, (x) =>
      equipmentRejects.push(x),
    ))
      disciplines.add(r.values[1] ?? null);
    expect(equipmentLines.encoding).toBe('windows-1252');
    expect(equipmentRejects).toEqual([]);
    // EHPAD, IME, SSIAD… each with its discipline.
    expect(disciplines.size).toBeGreaterThan(4);
  });

  it('changes realistically from one day to the next', async () => {
    const ids = async (day: GeneratedDay) => {
      const sources = await collectSources([day.dir]);
      const { rows, index } = await rowsOf(
        sources.find((s) => s.kind === 'personneActivite') as SourceFile,
        personneActiviteColumns,
      );
      const idNat = (index as Record<string, number>)['Identification nationale PP'] as number;
      return new Set(rows.map((f) => f[idNat]));
    };
    const [d0, d1] = [await ids(days[0] as GeneratedDay), await ids(days[1] as GeneratedDay)];
    const departed = [...d0].filter((x) => !d1.has(x)).length;
    const arrived = [...d1].filter((x) => !d0.has(x)).length;
    expect(departed).toBeGreaterThan(0);
    expect(arrived).toBeGreaterThan(0);
    expect(departed + arrived).toBeLessThan(d0.size * 0.15);
  });

  it('encodes Windows-1252 with its typographic apostrophe', () => {
    expect([...encodeCp1252('É’€ĉ')]).toEqual([0xc9, 0x92, 0x80, 0x3f]);
  });
});
