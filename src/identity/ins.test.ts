import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIns, InsError, insKey, insOids, parseIns } from './ins.ts';

describe('matricule INS', () => {
  it.each([
    ['297022A020778', '78'],
    ['180032B020401', '23'],
    ['160012B020777', '13'],
    ['1090763220834', '89'],
    ['2090763220834', '39'],
    ['2090663220123', '55'],
    ['2360663220836', '56'],
    ['1090763220888', '35'],
    ['253072B073004', '70'],
    ['253072A073004', '43'],
  ])('key of %s is %s', (matricule, key) => {
    expect(insKey(matricule)).toBe(key);
    expect(parseIns(`${matricule}${key}`, insOids.NIR)).toEqual({
      matricule,
      key,
      kind: 'NIR',
      oid: insOids.NIR,
    });
  });

  it('accepts the months of incomplete civil records (20–42, 50+) and tells NIA from NIR by the OID only', () => {
    for (const month of ['20', '42', '51', '99']) {
      const matricule = `285${month}75123456`;
      expect(parseIns(matricule, insOids.NIA, insKey(matricule)).kind).toBe('NIA');
    }
    expect(parseIns('2090763220834 39', `urn:oid:${insOids.TEST}`).kind).toBe('TEST');
  });

  it.each([
    ['209076322083440', insOids.NIR, /Clé INS 40 incorrecte.*clé attendue 39/],
    ['20907632208', insOids.NIR, /mal formé/],
    ['909076322083439', insOids.NIR, /mal formé/],
    ['2090763220834XX', insOids.NIR, /Clé INS « XX » mal formée/],
    ['209076322083439', '1.2.250.1.213.1.4.5', /OID « 1\.2\.250\.1\.213\.1\.4\.5 » inconnu/],
    ['209076322083439', '1.2.250.1.213.1.4.2', /inconnu/],
  ])('refuses %s (%s) with the reason', (value, oid, reason) => {
    expect(() => parseIns(value, oid)).toThrow(InsError);
    expect(() => parseIns(value, oid)).toThrow(reason);
  });

  it('computes a key in 01–97 that validates, for any matricule, and only that key validates', () => {
    const matricule = fc
      .tuple(
        fc.constantFrom('1', '2'),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 99 }),
        fc.constantFrom('75', '2A', '2B', '97', '99', '01'),
        fc.integer({ min: 0, max: 999_999 }),
      )
      .map(
        ([s, y, m, d, rest]) =>
          `${s}${String(y).padStart(2, '0')}${String(m).padStart(2, '0')}${d}${String(rest).padStart(6, '0')}`,
      );
    fc.assert(
      fc.property(matricule, fc.integer({ min: 0, max: 99 }), (m, other) => {
        const key = insKey(m);
        expect(Number(key)).toBeGreaterThanOrEqual(1);
        expect(Number(key)).toBeLessThanOrEqual(97);
        expect(parseIns(m + key, insOids.NIR).key).toBe(key);
        const wrong = String(other).padStart(2, '0');
        if (wrong !== key) expect(() => parseIns(m + wrong, insOids.NIR)).toThrow(InsError);
      }),
    );
  });

  it('never throws anything but InsError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 30 }), (value, oid) => {
        try {
          parseIns(value, oid);
        } catch (error) {
          expect(error).toBeInstanceOf(InsError);
        }
      }),
    );
  });

  it('prints the matricule in groups', () => {
    expect(formatIns({ matricule: '297022A020778', key: '78' })).toBe('2 97 02 2A 020 778 78');
  });
});
