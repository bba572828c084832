import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fileName, readFinessPlus } from './finess-plus.ts';
import type { Reject } from './table.ts';

const ege = (finess: string, extra: Record<string, unknown> = {}) => ({
  informationsGeneralesEGE: {
    egeId: '1',
    nomEgeCourt: 'EHPAD LES TILLEULS  ',
    nomEgeLong: 'EHPAD LES TILLEULS DE SAINT-AUBIN',
    numFinessEge: finess,
    siret: '12345678900017',
    dateOuverture: '1990-01-01',
  },
  categorieentiteGeographiqueExercice: '500',
  modefixationtarifaire: '34',
  adresse: [
    {
      usageAdresse: '03',
      numeroVoie: '12',
      typeVoie: 'R',
      libelleVoie: 'DES LILAS',
      cogCommune: '2A004',
      ligneAcheminement: 'AJACCIO',
      codePostal: '20000',
      coordonneesGeographique: { directionLatitude: '41.9192', directionLongitude: '8.7386' },
    },
  ],
  contact: [{ typeContact: { roleContact: '01' }, telecom: { telephone: '0495000000' } }],
  etatObjet: 'A',
  dateDerniereMaj: '2026-03-01 10:00:00',
  ...extra,
});

const document = (pmej: unknown[]) =>
  Buffer.from(JSON.stringify({ schemaVersion: 'v1.0.0', gcc: [{ gccId: '1' }], gco: [], pmej }, null, 2));

async function read(bytes: Buffer) {
  const rejects: Reject[] = [];
  const rows = [];
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97);
  }
  for await (const row of readFinessPlus('s.json', chunks(), (r) => rejects.push(r))) rows.push(row);
  return { rows, rejects };
}

describe('readFinessPlus', () => {
  const doc = document([
    {
      informationsGeneralesPMEJ: { numFinessPm: '2A0000011', siren: '123456789' },
      ege: [ege('2A0000029'), ege('2A0000037', { etatObjet: 'I' })],
    },
    { informationsGeneralesPMEJ: { numFinessPm: 'XX' }, ege: [ege('750000028')] },
    {
      informationsGeneralesPMEJ: { numFinessPm: '750000010' },
      ege: [
        ege('75000002'),
        ege('750000044', { informationsGeneralesEGE: { numFinessEge: '750000044', siret: '12' } }),
      ],
    },
  ]);

  it('yields active EGs with their EJ, Corsican COG split and WGS84 coordinates', async () => {
    const { rows } = await read(doc);
    expect(rows).toHaveLength(1);
    const v = rows[0]?.values ?? [];
    expect(v.slice(0, 4)).toEqual([
      '2A0000029',
      '2A0000011',
      'EHPAD LES TILLEULS',
      'EHPAD LES TILLEULS DE SAINT-AUBIN',
    ]);
    expect(v.slice(11, 16)).toEqual(['004', '2A', null, '20000 AJACCIO', '20000']);
    expect(v[18]).toBe('500');
    expect(v.slice(-3)).toEqual([41.9192, 8.7386, 'FINESS+ (BAN)']);
  });

  it('rejects invalid identifiers with the entity’s position', async () => {
    const { rejects } = await read(doc);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, 'pmej[1] : numFinessPm invalide « XX »'],
      [3, 'pmej[2].ege[0] : numFinessEge invalide « 75000002 »'],
      [3, 'pmej[2].ege[1] : SIRET invalide « 12 »'],
    ]);
  });

  it('reads gzip files as well', async () => {
    expect((await read(gzipSync(doc))).rows).toHaveLength(1);
  });

  it('fails clearly on broken JSON or a document without legal entities', async () => {
    await expect(read(Buffer.from('{"pmej": [ {"ege": [ }'))).rejects.toThrow(
      /s\.json:\d+ : JSON FINESS\+ illisible/,
    );
    await expect(read(document([]))).rejects.toThrow(/aucune entité juridique/);
  });

  it('recognises the published names', () => {
    expect(fileName.test('finess-structures-journalier-20260309.json')).toBe(true);
    expect(fileName.test('finess-structures-journalier-20260309.json.gz')).toBe(true);
    expect(fileName.test('exemple-finess-structures-journalier-20260309.json')).toBe(true);
    expect(fileName.test('finess-activites-journalier-20260309.json')).toBe(false);
  });
});
