import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryString, searchBundle, subset, toJsonText } from './bundle.ts';
import { StoredResource } from './rows.ts';

describe('search bundles', () => {
  it('keeps the query in a stable order and adds the next page token', () => {
    expect(
      queryString({ name: 'mar', _count: '2', _page: 'old', identifier: ['a', 'b'] }, { _page: 'new' }),
    ).toBe('?_count=2&identifier=a&identifier=b&name=mar&_page=new');
    expect(queryString({})).toBe('');
  });

  it('subsets with the SUBSETTED tag and writes self, next, matches, includes and warnings', () => {
    const resource = {
      resourceType: 'Practitioner',
      id: '8',
      meta: { source: 's' },
      name: [],
      identifier: [1],
    };
    expect(subset(resource, ['identifier'])).toEqual({
      resourceType: 'Practitioner',
      id: '8',
      identifier: [1],
      meta: {
        source: 's',
        tag: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }],
      },
    });
    const bundle = searchBundle({
      base: 'https://x/fhir',
      resourceType: 'Practitioner',
      query: { name: 'a' },
      result: {
        matches: [resource],
        included: [{ resourceType: 'PractitionerRole', id: 'r' }],
        total: 3,
        next: { after: '8', snapshot: 1, total: 3 },
        warnings: ['trop'],
      },
      elements: null,
    }) as Record<string, any>;
    expect(bundle).toMatchObject({ type: 'searchset', total: 3 });
    expect(bundle.link[0]).toEqual({ relation: 'self', url: 'https://x/fhir/Practitioner?name=a' });
    expect(bundle.link[1].url).toMatch(/^https:\/\/x\/fhir\/Practitioner\?name=a&_page=/);
    expect(bundle.entry.map((e: Record<string, any>) => e.search.mode)).toEqual([
      'match',
      'include',
      'outcome',
    ]);
    expect(bundle.entry[0].fullUrl).toBe('https://x/fhir/Practitioner/8');
  });

  it('writes stored resources as their text, wherever they are, and any other value as JSON.stringify does', () => {
    const json = fc.jsonValue();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(json, fc.boolean()), { maxLength: 6 }),
        fc.string({ unit: 'binary' }),
        (values, odd) => {
          // Each value either as it is or stored; and a string that looks like a marker without its nonce.
          const parts = values.map(([v, stored]) =>
            stored ? new StoredResource('Practitioner', 'x', JSON.stringify(v)) : v,
          );
          const value = { entry: parts.map((resource) => ({ resource })), odd: `\u0000stored-${odd}:0` };
          const expected = { entry: values.map(([v]) => ({ resource: v })), odd: value.odd };
          expect(JSON.parse(toJsonText(value))).toEqual(JSON.parse(JSON.stringify(expected)));
        },
      ),
    );
    const stored = new StoredResource('Practitioner', '8', '{"resourceType":"Practitioner","id":"8"}');
    expect(toJsonText(stored)).toBe(stored.text);
    expect(subset(stored, [])).toEqual({
      resourceType: 'Practitioner',
      id: '8',
      meta: { tag: [{ system: expect.any(String), code: 'SUBSETTED' }] },
    });
  });
});
