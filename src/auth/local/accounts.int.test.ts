import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../../test/databases.ts';
import { rppsIdNat } from '../../../test/organisation-fixture.ts';
import {
  authenticateLocal,
  enrolLocalAccount,
  seal,
  totpCode,
  unlockLocalAccount,
  unseal,
} from './accounts.ts';

const secret = 'instance-secret-of-at-least-32-characters';
const idNat = rppsIdNat('1000000001');

describeEachDriver('local accounts (password + TOTP)', (driver) => {
  let t: TestDatabase;
  let totp: string;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    totp = (
      await enrolLocalAccount(
        t.database,
        secret,
        { idNat, nom: 'DUPONT', prenom: 'Anne', password: 'Tilleul7!-Anne' },
        'test',
      )
    ).totpSecret;
  });
  afterAll(async () => t?.drop());

  it('refuses weak passwords, invalid identifiers and a second enrolment', async () => {
    await expect(
      enrolLocalAccount(
        t.database,
        secret,
        { idNat: '123', nom: 'X', prenom: 'Y', password: 'azerty' },
        'test',
      ),
    ).rejects.toThrow(/idNat_PS « 123 » invalide .* mot de passe trop faible/);
    await expect(
      enrolLocalAccount(t.database, secret, { idNat, nom: 'DUPONT', prenom: 'Anne' }, 'test'),
    ).rejects.toThrow('existe déjà');
  });

  it('accepts the password with a fresh code once, and refuses the same code again', async () => {
    const at = new Date('2025-12-15T09:00:00Z');
    const code = totpCode(totp, at);
    expect(
      await authenticateLocal(t.database, secret, { idNat, password: 'Tilleul7!-Anne', code }, at),
    ).toMatchObject({ ok: true, nom: 'DUPONT' });
    expect(
      await authenticateLocal(
        t.database,
        secret,
        { idNat, password: 'Tilleul7!-Anne', code },
        new Date(at.getTime() + 5000),
      ),
    ).toMatchObject({
      ok: false,
      reason: 'Identifiant, mot de passe ou code incorrect.',
    });
  });

  it('backs off after five failures and locks after ten, until unlocked', async () => {
    let at = new Date('2025-12-16T09:00:00Z').getTime();
    const attempt = (password: string) =>
      authenticateLocal(
        t.database,
        secret,
        { idNat, password, code: totpCode(totp, new Date(at)) },
        new Date(at),
      );
    for (let i = 0; i < 5; i++) {
      expect((await attempt('mauvais')).ok).toBe(false);
      at += 1000;
    }
    expect(await attempt('Tilleul7!-Anne')).toMatchObject({ ok: false, throttled: true });
    for (let i = 0; i < 5; i++) {
      at += 40 * 60_000;
      expect((await attempt('mauvais')).ok).toBe(false);
    }
    at += 24 * 3600_000;
    expect(await attempt('Tilleul7!-Anne')).toMatchObject({
      ok: false,
      throttled: true,
      reason: expect.stringContaining('verrouillé'),
    });
    expect(await unlockLocalAccount(t.database, idNat)).toBe(true);
    at += 60_000;
    expect((await attempt('Tilleul7!-Anne')).ok).toBe(true);
  });

  it('seals TOTP secrets: unreadable without the instance secret', () => {
    const sealed = seal(secret, 'SECRET');
    expect(sealed).not.toContain('SECRET');
    expect(unseal(secret, sealed)).toBe('SECRET');
    expect(() => unseal('another-secret', sealed)).toThrow();
  });
});
