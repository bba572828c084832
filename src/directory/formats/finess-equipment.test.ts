import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EquipmentRecord, equipmentColumns, readFinessEquipment } from './finess-equipment.ts';
import type { Line } from './lines.ts';
import type { Reject } from './table.ts';

async function* lines(...texts: string[]): AsyncGenerator<Line> {
  let number = 0;
  for (const text of texts) yield { number: ++number, text };
}

/** An EHPAD's permanent accommodation for dependent elderly people, 80 places authorised and installed. */
const equipment = (finess: string, extra: Partial<Record<number, string>> = {}) => {
  const f = Array.from({ length: 28 }, () => '');
  Object.assign(f, {
    0: 'equipementsocial',
    1: finess,
    2: '924',
    3: 'Accueil pour Personnes Âgées',
    4: '11',
    5: 'Hébergement Complet Internat',
    6: '711',
    7: 'Personnes Âgées dépendantes',
    8: '4',
    9: '80',
    15: 'N',
    16: '2004-01-01',
    17: '2003-06-12',
    18: '80',
    24: 'N',
    25: '2017-01-03',
    ...extra,
  });
  return f.join(';');
};

async function read(...texts: string[]) {
  const rejects: Reject[] = [];
  const records: EquipmentRecord[] = [];
  for await (const r of readFinessEquipment('f.csv', lines(...texts), (x) => rejects.push(x)))
    records.push(r);
  return { records, rejects };
}

describe('readFinessEquipment', () => {
  it('reads the equipment of each site, skipping the EJ mapping records', async () => {
    const { records, rejects } = await read(
      'finess;etalab;98;2026-05-04',
      'structureet;690000012;690000011',
      equipment('690000012'),
    );
    expect(rejects).toEqual([]);
    expect(records).toHaveLength(1);
    const row = Object.fromEntries(equipmentColumns.map((c, i) => [c, records[0]?.values[i]]));
    expect(row).toMatchObject({
      finess: '690000012',
      discipline_code: '924',
      activite_code: '11',
      clientele_code: '711',
      capacite_installee: '80',
      capacite_autorisee: '80',
      installation_supprimee: 'N',
      autorisation_supprimee: 'N',
      date_autorisation: '2017-01-03',
      date_maj_autorisation: null,
    });
  });

  it('rejects bad records with their line and reason, and keeps going', async () => {
    const { records, rejects } = await read(
      'finess;etalab;98;2026-05-04',
      equipment('69000001'),
      equipment('690000012', { 4: '' }),
      equipment('690000012', { 9: 'quatre-vingts' }),
      equipment('690000012', { 15: 'X' }),
      equipment('690000012', { 25: '03/01/2017' }),
      'equipementsocial;690000012;924',
      'autre;1',
      equipment('690000020'),
    );
    expect(records.map((r) => r.values[0])).toEqual(['690000020']);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, 'FINESS établissement invalide « 69000001 »'],
      [3, 'discipline, activité et clientèle : codes attendus'],
      [4, 'capacités et âges : nombres entiers attendus'],
      [5, 'indicateurs de suppression : O ou N attendu'],
      [6, 'dates au format AAAA-MM-JJ attendues'],
      [7, '3 champs au lieu de 28 pour equipementsocial'],
      [8, 'type d’enregistrement inconnu « autre » (equipementsocial ou structureet)'],
    ]);
  });

  it('refuses a file without its marker line, or empty', async () => {
    await expect(read(equipment('690000012'))).rejects.toThrow('finess;etalab;NN;AAAA-MM-JJ');
    await expect(read()).rejects.toThrow('fichier vide');
  });

  it('never throws on arbitrary lines after the marker: each is read or rejected', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 200 }), { maxLength: 20 }), async (texts) => {
        const { records, rejects } = await read('finess;etalab;98;2026-05-04', ...texts);
        const meaningful = texts.filter(
          (t) => t.length > 0 && !t.startsWith('structureet;') && t !== 'structureet',
        );
        expect(records.length + rejects.length).toBe(meaningful.length);
      }),
    );
  });
});
