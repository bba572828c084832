/**
 * National identifiers of the directory. Formats: shared/research/annuaire.md §1.3, §3.1, §4.5.
 * Identifiers are strings everywhere: leading zeros are significant (ADELI, FINESS, idNat_PS `0…`).
 */

/** Luhn check over a string of digits, the key being the last digit. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The digit that makes `body` + digit Luhn-valid. */
export function luhnKey(body: string): string {
  for (let k = 0; k <= 9; k++) if (luhnValid(`${body}${k}`)) return String(k);
  throw new Error(`corps non numérique : ${body}`);
}

/** RPPS: 11 digits, the last a Luhn key. */
export function isRpps(value: string): boolean {
  return value.length === 11 && luhnValid(value);
}

/** ADELI: 9 characters, département (2A/2B for Corsica) first. */
export function isAdeli(value: string): boolean {
  return /^[0-9][0-9AB][0-9]{7}$/.test(value);
}

/** FINESS (EG or EJ): 9 characters `[0-9][0-9A-Z][0-9]{7}` (XSD pattern of the FINESS flows). */
export function isFiness(value: string): boolean {
  return /^[0-9][0-9A-Z][0-9]{7}$/.test(value);
}

export function isSiren(value: string): boolean {
  return /^\d{9}$/.test(value);
}

export function isSiret(value: string): boolean {
  return /^\d{14}$/.test(value);
}

export type PpIdType = 'rpps' | 'adeli';

export interface IdNatPs {
  type: PpIdType;
  /** RPPS (11 digits) or ADELI (9 characters). */
  id: string;
  /** Type digit + id: `8`+RPPS, `0`+ADELI. */
  idNat: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Checks the three identifier columns of a PS_LibreAcces line against each other: `Type d'identifiant PP`
 * (`8` RPPS or `0` ADELI), `Identifiant PP` and `Identification nationale PP` (type digit + id).
 */
export function parsePpIdentity(type: string, id: string, idNat: string): ParseResult<IdNatPs> {
  if (type === '8') {
    if (!isRpps(id))
      return { ok: false, reason: `RPPS invalide « ${id} » (11 chiffres dont une clé de Luhn)` };
  } else if (type === '0') {
    if (!isAdeli(id)) return { ok: false, reason: `ADELI invalide « ${id} » (9 caractères)` };
  } else return { ok: false, reason: `type d’identifiant PP inconnu « ${type} » (8 RPPS ou 0 ADELI)` };
  if (idNat !== `${type}${id}`)
    return { ok: false, reason: `identification nationale « ${idNat} » différente de ${type}+${id}` };
  return { ok: true, value: { type: type === '8' ? 'rpps' : 'adeli', id, idNat } };
}
