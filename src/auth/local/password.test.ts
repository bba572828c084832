import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, passwordStrength, verifyPassword } from './password.ts';

describe('local passwords', () => {
  it.each([
    ['Tilleul7!', true],
    ['tilleul26', false],
    ['motdepasse', false],
    ['cheval agrafe batterie correcte soleil', true],
    ['123456789012345', true],
    ['12345678901234', false],
    ['aB3$', false],
    ['ab12CDEFGHIJ', true],
  ])('%s → %s', (password, ok) => {
    expect(passwordStrength(password).ok).toBe(ok);
  });

  it('explains a weak password with its estimated entropy', () => {
    expect(passwordStrength('tilleuls').reason).toMatch(/^entropie estimée à 38 bits, 50 au moins/);
  });

  it('generates strong passwords and verifies argon2id hashes', async () => {
    for (let i = 0; i < 50; i++) expect(passwordStrength(generatePassword()).ok).toBe(true);
    const hash = await hashPassword('Tilleul7!');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword('Tilleul7!', hash)).toBe(true);
    expect(await verifyPassword('tilleul7!', hash)).toBe(false);
  });

  it('never throws on any input', () => {
    fc.assert(fc.property(fc.string(), (s) => void passwordStrength(s)));
  });
});
