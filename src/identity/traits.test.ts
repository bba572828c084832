import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareTraits, normalizeName, parseTraits, TraitsError } from './traits.ts';

const valid = {
  nomNaissance: 'de Vinci',
  prenomsNaissance: 'Pierre-Alain  Jean',
  sexe: 'm',
  dateNaissance: '1952-04-15',
  lieuNaissance: '2a004',
};

const errorsOf = (input: object) => {
  try {
    parseTraits(input, '2026-11-24');
  } catch (error) {
    if (error instanceof TraitsError)
      return Object.fromEntries(error.errors.map((e) => [e.field, e.message]));
    throw error;
  }
  return {};
};

describe('traits stricts', () => {
  it.each([
    ['Hélène', 'HELENE'],
    ['  d’Aeion ', "D'AEION"],
    ['Œuvray', 'OEUVRAY'],
    ['Lætitia', 'LAETITIA'],
    ['jean – pierre', 'JEAN-PIERRE'],
    ['Marie  Claire', 'MARIE CLAIRE'],
    ['ÇÀÉÈÊËÎÏÔÖÙÛÜŸ', 'CAEEEEIIOOUUUY'],
  ])('normalises %j to %j', (raw, normalised) => {
    expect(normalizeName(raw)).toBe(normalised);
  });

  it('parses traits into the RNIV form, the first given name being the first of the list', () => {
    expect(parseTraits(valid, '2026-11-24')).toEqual({
      nomNaissance: 'DE VINCI',
      prenomsNaissance: ['PIERRE-ALAIN', 'JEAN'],
      premierPrenom: 'PIERRE-ALAIN',
      sexe: 'M',
      dateNaissance: '1952-04-15',
      lieuNaissance: '2A004',
    });
    expect(
      parseTraits({ ...valid, prenomsNaissance: ['Anne', 'Marie'] }, '2026-11-24').prenomsNaissance,
    ).toEqual(['ANNE', 'MARIE']);
  });

  it('reports every wrong field at once, in French', () => {
    expect(
      errorsOf({
        nomNaissance: 'D@upont',
        prenomsNaissance: '',
        sexe: 'X',
        dateNaissance: '2025-02-30',
        lieuNaissance: '7501',
      }),
    ).toEqual({
      nomNaissance: 'Le nom de naissance contient des caractères non admis : @.',
      prenomsNaissance: 'Au moins un prénom de naissance est obligatoire.',
      sexe: 'Le sexe doit être M ou F (sexe de l’état civil).',
      dateNaissance: 'La date de naissance 2025-02-30 n’existe pas.',
      lieuNaissance:
        'Le lieu de naissance doit être un code officiel géographique de 5 caractères (commune, dont 2A/2B, ou 99 suivi du code du pays, par exemple 99134).',
    });
    expect(errorsOf({ ...valid, dateNaissance: '2030-01-01' }).dateNaissance).toBe(
      'La date de naissance est dans le futur.',
    );
    expect(errorsOf({ ...valid, nomNaissance: "-DUPONT'" }).nomNaissance).toMatch(
      /commencer et finir par une lettre/,
    );
    expect(errorsOf({ ...valid, nomNaissance: 'A'.repeat(101) }).nomNaissance).toMatch(/dépasse 100/);
  });

  it('normalises idempotently, to upper-case letters and the three separators only, or is refused', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (raw) => {
        const once = normalizeName(raw);
        expect(normalizeName(once)).toBe(once);
        try {
          const t = parseTraits({ ...valid, nomNaissance: raw }, '2026-11-24');
          expect(t.nomNaissance).toMatch(/^[A-Z]+(?:(?:--?|[' ])[A-Z]+)*$/);
        } catch (error) {
          expect(error).toBeInstanceOf(TraitsError);
        }
      }),
    );
  });

  it('compares local and INSi traits after normalisation', () => {
    const local = parseTraits(valid, '2026-11-24');
    const insi = parseTraits(
      { ...valid, nomNaissance: 'DE VINCI', prenomsNaissance: 'PIERRE-ALAIN' },
      '2026-11-24',
    );
    expect(compareTraits(local, insi)).toEqual([
      { trait: 'prenomsNaissance', local: 'PIERRE-ALAIN JEAN', insi: 'PIERRE-ALAIN' },
    ]);
    expect(compareTraits(local, local)).toEqual([]);
  });
});
