import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FhirError } from './errors.ts';
import { maxCount, parseSearch, resourceTypes, searchParameters } from './params.ts';

const refused = (fn: () => unknown): FhirError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error('expected a FhirError');
};

describe('FHIR search parameters', () => {
  it('reads tokens with and without system, OR lists and FHIR escapes', () => {
    const r = parseSearch('Practitioner', {
      identifier: ['https://rpps.esante.gouv.fr|10000000009,810000000017', 'a\\,b'],
      'qualification-code':
        'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante|',
    });
    expect(r.filters).toEqual([
      {
        type: 'token',
        name: 'identifier',
        values: [{ system: 'https://rpps.esante.gouv.fr', code: '10000000009' }, { code: '810000000017' }],
      },
      { type: 'token', name: 'identifier', values: [{ code: 'a,b' }] },
      {
        type: 'token',
        name: 'qualification-code',
        values: [
          { system: 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante' },
        ],
      },
    ]);
  });

  it('reads string modifiers, references, dates and the result parameters', () => {
    const r = parseSearch('PractitionerRole', {
      'mailbox-mss:contains': 'mssante',
      practitioner: 'Practitioner/810000000009',
      organization: 'https://x.test/fhir/Organization/920000000',
      _lastUpdated: 'ge2026-11-01',
      _count: '200',
      _total: 'accurate',
      _include: 'PractitionerRole:organization',
      _elements: 'identifier,active',
    });
    expect(r.filters.map((f) => f.type)).toEqual(['string', 'reference', 'reference', 'date']);
    expect(r.filters[0]).toMatchObject({ match: 'contains', values: ['mssante'] });
    expect(r.filters[1]).toMatchObject({ values: ['810000000009'] });
    expect(r.filters[2]).toMatchObject({ values: ['920000000'] });
    expect(r.filters[3]).toMatchObject({ prefix: 'ge' });
    expect(r).toMatchObject({ count: 200, total: 'accurate', include: ['PractitionerRole:organization'] });
    expect(r.elements).toEqual(['identifier', 'active']);
  });

  it.each([
    ['Practitioner', { foo: 'x' }, 'foo'],
    ['Practitioner', { 'name:fuzzy': 'x' }, 'name:fuzzy'],
    ['Practitioner', { 'identifier:text': 'x' }, 'identifier:text'],
    ['Practitioner', { name: '' }, 'name'],
    ['Practitioner', { name: 'a,' }, 'name'],
    ['Practitioner', { _count: String(maxCount + 1) }, '_count'],
    ['Practitioner', { _count: ['10', '20'] }, '_count'],
    ['Practitioner', { _total: 'all' }, '_total'],
    ['Practitioner', { _lastUpdated: 'sa2026-01-01' }, '_lastUpdated'],
    ['Practitioner', { _id: 'a|b' }, '_id'],
    ['Practitioner', { _revinclude: 'PractitionerRole:organization' }, '_revinclude'],
    ['Organization', { partof: 'Practitioner/1' }, 'partof'],
    ['Organization', { name: 'a\u0000b' }, 'name'],
    ['Organization', { name: 'x'.repeat(300) }, 'name'],
    ['PractitionerRole', { _format: 'xml' }, '_format'],
  ] as const)('refuses %s %j naming %s', (type, query, parameter) => {
    expect(refused(() => parseSearch(type, query as never)).parameter).toBe(parameter);
  });

  it('answers any generated query with a request or a FhirError, never another exception', () => {
    const names = resourceTypes.flatMap((t) => Object.keys(searchParameters[t]));
    const key = fc.oneof(
      fc.constantFrom(
        ...names,
        '_count',
        '_total',
        '_elements',
        '_include',
        '_revinclude',
        '_page',
        '_format',
      ),
      fc.constantFrom(...names).chain((n) => fc.constantFrom(`${n}:contains`, `${n}:exact`, `${n}:missing`)),
      fc.string({ maxLength: 12 }),
    );
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom(
        "' or 1=1 --",
        '.*+?^${}()|[]\\',
        '%_',
        'ge2026-01-01',
        'a|b|c',
        '\\',
        ',',
        '|',
        '\u202e',
        'é́',
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...resourceTypes),
        fc.dictionary(key, fc.oneof(value, fc.array(value, { maxLength: 3 }))),
        (type, query) => {
          try {
            parseSearch(type, query);
          } catch (error) {
            expect(error).toBeInstanceOf(FhirError);
            expect((error as FhirError).status).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
