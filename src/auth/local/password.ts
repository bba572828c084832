import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

/**
 * Passwords of the hub's local means. RIE v1 EXI 25: at least 50 bits of entropy, checked at creation (e.g.
 * 8 characters of 3 classes among 4, a passphrase of 5 words, 15 digits); stored with argon2id (OWASP parameters).
 */
export interface Strength {
  ok: boolean;
  bits: number;
  reason: string;
}

export function passwordStrength(password: string): Strength {
  const words = password
    .trim()
    .split(/[\s\-_.]+/)
    .filter((w) => w.length >= 2);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((c) => c.test(password)).length;
  const pool =
    (/[a-z]/.test(password) ? 26 : 0) +
    (/[A-Z]/.test(password) ? 26 : 0) +
    (/[0-9]/.test(password) ? 10 : 0) +
    (/[^A-Za-z0-9]/.test(password) ? 33 : 0);
  const bits = Math.round(password.length * Math.log2(Math.max(pool, 1)));
  if (words.length >= 5)
    return { ok: true, bits: Math.max(bits, 65), reason: 'phrase de passe d’au moins cinq mots' };
  if (/^\d+$/.test(password))
    return password.length >= 15
      ? { ok: true, bits, reason: 'au moins quinze chiffres' }
      : { ok: false, bits, reason: 'un code uniquement numérique doit compter au moins quinze chiffres' };
  if (password.length >= 8 && classes >= 3)
    return { ok: true, bits: Math.max(bits, 50), reason: 'au moins huit caractères de trois types' };
  if (bits >= 50) return { ok: true, bits, reason: 'entropie suffisante' };
  return {
    ok: false,
    bits,
    reason: `entropie estimée à ${bits} bits, 50 au moins : huit caractères mêlant trois types (minuscules, majuscules, chiffres, symboles), ou une phrase de cinq mots`,
  };
}

const parameters = {
  parallelism: 1,
  iterations: 2,
  memorySize: 19_456,
  hashLength: 32,
  outputType: 'encoded',
} as const;

export function hashPassword(password: string): Promise<string> {
  return argon2id({ password, salt: randomBytes(16), ...parameters });
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return argon2Verify({ password, hash });
}

/** A generated first password: 20 characters of four classes, well above 50 bits. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-+=#';
  const bytes = randomBytes(20);
  const body = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${body.slice(0, 16)}aZ7#`;
}
