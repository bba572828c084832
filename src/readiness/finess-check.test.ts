import { describe, expect, it } from 'vitest';
import { competence, correctingAuthority, type FinessRecord, finessProblems } from './finess-check.ts';

const record: FinessRecord = {
  finess: '690000012',
  finessEj: '690000011',
  raisonSociale: 'EHPAD LES TILLEULS',
  categorieCode: '500',
  categorie: 'EHPAD',
  voie: 'RUE DES LILAS',
  codePostal: '69003',
  commune: 'LYON',
  departement: '69',
  telephone: '0478000000',
  siret: '30000001200012',
  active: true,
  deactivatedAt: null,
};

describe('FINESS checks', () => {
  it('finds nothing wrong with a complete open site of the expected EJ', () => {
    expect(finessProblems(record, '690000011')).toEqual([]);
  });

  it('names every problem at once, in French', () => {
    expect(
      finessProblems(
        {
          ...record,
          active: false,
          deactivatedAt: new Date('2026-03-02T10:00:00Z'),
          voie: ' ',
          siret: '123',
          telephone: null,
          categorieCode: null,
        },
        '690000099',
      ),
    ).toEqual([
      'site fermé (retiré de FINESS le 02/03/2026)',
      'rattaché à l’entité juridique 690000011 et non 690000099',
      'catégorie d’établissement absente',
      'adresse incomplète',
      'SIRET 123 invalide (14 chiffres attendus)',
      'téléphone absent',
    ]);
  });

  it.each([
    ['460', 'CD', 'CD'],
    ['382', 'CD', 'CD'],
    ['183', 'ARS', 'ARS'],
    ['354', 'ARS', 'ARS'],
    ['500', 'conjointe', 'ARS'],
    ['437', 'conjointe', 'ARS'],
    [null, 'ARS', 'ARS'],
  ] as const)('category %s: competence %s, corrected by %s', (code, expected, authority) => {
    expect(competence(code)).toBe(expected);
    expect(correctingAuthority(competence(code))).toBe(authority);
  });
});
