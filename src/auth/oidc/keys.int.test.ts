import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../../test/databases.ts';
import { encryptionKey, ensureSigningKeys, rotateSigningKey, signingKeys } from './keys.ts';

describeEachDriver('signing and encryption keys', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => t?.drop());

  it('creates one signing key, and keeps the rotated one published until its retirement', async () => {
    const first = await ensureSigningKeys(t.database);
    expect(first).toHaveLength(1);
    expect(await ensureSigningKeys(t.database)).toEqual(first);
    const kid = await rotateSigningKey(t.database, 3600);
    const keys = await signingKeys(t.database);
    expect(keys.map((k) => k.kid)[0]).toBe(kid);
    expect(keys).toHaveLength(2);
    expect(await signingKeys(t.database, new Date(Date.now() + 7200_000))).toHaveLength(1);
  });

  it('keeps one encryption key apart from the signing keys', async () => {
    const enc = await encryptionKey(t.database);
    expect(enc).toMatchObject({ kty: 'RSA', alg: 'RSA-OAEP', use: 'enc' });
    expect(await encryptionKey(t.database)).toEqual(enc);
    expect((await signingKeys(t.database)).map((k) => k.alg)).not.toContain('RSA-OAEP');
  });
});
