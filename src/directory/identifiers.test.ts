import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAdeli, isFiness, isRpps, isSiret, luhnKey, luhnValid, parsePpIdentity } from './identifiers.ts';

const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(''));

describe('Luhn', () => {
  it('accepts known valid numbers and rejects their neighbours', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('10101299823')).toBe(true);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('1a')).toBe(false);
  });

  it('luhnKey always completes a valid number, and any single-digit change breaks it', () => {
    fc.assert(
      fc.property(digits(1, 20), fc.nat(), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
        const full = body + luhnKey(body);
        expect(luhnValid(full)).toBe(true);
        const i = pos % full.length;
        const changed = full.slice(0, i) + String((Number(full[i]) + delta) % 10) + full.slice(i + 1);
        expect(luhnValid(changed)).toBe(false);
      }),
    );
  });
});

describe('identifiers', () => {
  it.each([
    ['10101299823', true],
    ['10101299824', false],
    ['1010129982', false],
    ['101012998230', false],
  ])('RPPS %s → %s', (value, ok) => expect(isRpps(value)).toBe(ok));

  it.each([
    ['012800736', true],
    ['2A1234567', true],
    ['2C1234567', false],
    ['01280073', false],
  ])('ADELI %s → %s', (value, ok) => expect(isAdeli(value)).toBe(ok));

  it.each([
    ['750000001', true],
    ['2A0000019', true],
    ['2B0000019', true],
    ['9A0000019', true],
    ['75000000', false],
    ['75000000A', false],
    ['a50000001', false],
  ])('FINESS %s → %s', (value, ok) => expect(isFiness(value)).toBe(ok));

  it('SIRET has 14 digits', () => {
    expect(isSiret('12345678900017')).toBe(true);
    expect(isSiret('1234567890001')).toBe(false);
  });
});

describe('parsePpIdentity', () => {
  it('accepts consistent RPPS and ADELI triples', () => {
    expect(parsePpIdentity('8', '10101299823', '810101299823')).toEqual({
      ok: true,
      value: { type: 'rpps', id: '10101299823', idNat: '810101299823' },
    });
    expect(parsePpIdentity('0', '012800736', '0012800736')).toMatchObject({
      ok: true,
      value: { type: 'adeli' },
    });
  });

  it.each([
    ['8', '10101299824', '810101299824', /RPPS invalide/],
    ['0', '01280073', '001280073', /ADELI invalide/],
    ['3', '750000001', '3750000001', /type d’identifiant PP inconnu/],
    ['8', '10101299823', '810101299800', /différente/],
  ])('refuses %s %s %s', (type, id, idNat, reason) => {
    const result = parsePpIdentity(type, id, idNat);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
