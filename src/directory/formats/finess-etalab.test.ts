import { describe, expect, it } from 'vitest';
import { type FinessRecord, readFinessEtalab } from './finess-etalab.ts';
import type { Line } from './lines.ts';
import type { Reject } from './table.ts';

async function* lines(...texts: string[]): AsyncGenerator<Line> {
  let number = 0;
  for (const text of texts) yield { number: ++number, text };
}

const structure = (finess: string, extra: Partial<Record<number, string>> = {}) => {
  const f = Array.from({ length: 32 }, () => '');
  Object.assign(f, {
    0: 'structureet',
    1: finess,
    2: '750000010',
    3: 'EHPAD LES TILLEULS',
    13: '75',
    14: 'PARIS',
    15: '75012 PARIS',
    18: '500',
    19: 'E.H.P.A.D.',
    22: '12345678900017',
    28: '2001-02-03',
    ...extra,
  });
  return f.join(';');
};

async function read(...texts: string[]) {
  const rejects: Reject[] = [];
  const records: FinessRecord[] = [];
  for await (const r of readFinessEtalab('f.csv', lines(...texts), (x) => rejects.push(x))) records.push(r);
  return { records, rejects };
}

describe('readFinessEtalab', () => {
  it('reads structures and their geolocation, converted to WGS84', async () => {
    const { records, rejects } = await read(
      'finess;etalab;98;2026-05-04',
      structure('750000028'),
      'geolocalisation;750000028;652400.0;6861900.0;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2026-05-04',
    );
    expect(rejects).toEqual([]);
    const [s, g] = records;
    expect(s?.kind).toBe('structure');
    expect(s?.values.slice(0, 3)).toEqual(['750000028', '750000010', 'EHPAD LES TILLEULS']);
    expect(s?.values[15]).toBe('75012');
    expect(g?.kind).toBe('geo');
    expect(g?.values[1]).toBeCloseTo(48.853, 2);
  });

  it('accepts the 31-field records of older files', async () => {
    const { records } = await read(
      'finess;etalab;98;2019-01-01',
      structure('750000028').split(';').slice(0, 31).join(';'),
    );
    expect(records).toHaveLength(1);
  });

  it('rejects bad records with their line and keeps going', async () => {
    const { records, rejects } = await read(
      'finess;etalab;98;2026-05-04',
      structure('75000002'),
      structure('750000036', { 22: '123' }),
      structure('750000044', { 28: '03/02/2001' }),
      'autre;1;2',
      'geolocalisation;750000028;1;2',
      structure('750000051'),
    );
    expect(records).toHaveLength(1);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, 'FINESS établissement invalide « 75000002 »'],
      [3, 'SIRET invalide « 123 »'],
      [4, 'date au format AAAA-MM-JJ attendue (dateouv, dateautor, datemaj)'],
      [5, 'type d’enregistrement inconnu « autre » (structureet ou geolocalisation)'],
      [6, '4 champs au lieu de 6 pour geolocalisation'],
    ]);
  });

  it('requires the marker line', async () => {
    await expect(read(structure('750000028'))).rejects.toThrow(/f\.csv:1 : première ligne/);
    await expect(read()).rejects.toThrow(/fichier vide/);
  });
});
