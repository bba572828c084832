import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateRange } from './dates.ts';
import { FhirError } from './errors.ts';

const range = (text: string) => {
  const r = parseDateRange(text, '_lastUpdated');
  return [r.from.toISOString(), r.to.toISOString()];
};

describe('FHIR date ranges', () => {
  it.each([
    ['2026', '2025-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z'],
    ['2026-07', '2026-06-30T22:00:00.000Z', '2026-07-31T22:00:00.000Z'],
    ['2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    ['2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
    ['2026-11-02T10:15', '2026-11-02T09:15:00.000Z', '2026-11-02T09:16:00.000Z'],
    ['2026-11-02T10:15:30Z', '2026-11-02T10:15:30.000Z', '2026-11-02T10:15:31.000Z'],
    ['2026-11-02T10:15:30.5+02:00', '2026-11-02T08:15:30.500Z', '2026-11-02T08:15:30.501Z'],
    ['2026-11-02T00:00:00-05:30', '2026-11-02T05:30:00.000Z', '2026-11-02T05:30:01.000Z'],
  ])('%s covers [%s, %s) — dates without a zone are read in Europe/Paris', (text, from, to) => {
    expect(range(text)).toEqual([from, to]);
  });

  it.each([
    '2026-13-01',
    '2026-02-30',
    '26-01-01',
    '2026-01-01T25:00',
    '2026-01-01T10:00:61Z',
    '1899',
    'hier',
    '',
  ])('refuses %s naming the parameter', (text) => {
    expect(() => parseDateRange(text, '_lastUpdated')).toThrow(FhirError);
    try {
      parseDateRange(text, '_lastUpdated');
    } catch (error) {
      expect((error as FhirError).parameter).toBe('_lastUpdated');
    }
  });

  it('gives a non-empty interval for every valid instant, and only FhirError otherwise', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1950-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (d) => {
          const r = parseDateRange(d.toISOString(), 'x');
          expect(r.from.getTime()).toBe(d.getTime());
          expect(r.to.getTime()).toBe(d.getTime() + 1);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const r = parseDateRange(text, 'x');
          expect(r.to.getTime()).toBeGreaterThan(r.from.getTime());
        } catch (error) {
          expect(error).toBeInstanceOf(FhirError);
        }
      }),
    );
  });
});
