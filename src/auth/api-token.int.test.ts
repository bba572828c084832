import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import { authenticateApiToken, createApiToken, listApiTokens, revokeApiToken } from './api-token.ts';

describeEachDriver('API tokens', (driver) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(driver);
  });
  afterEach(() => t.drop());

  it('authenticates a created token until it is revoked', async () => {
    const { id, token } = await createApiToken(t.database, { name: 'DUI Exemple', scopes: ['audit:read'] });
    expect(token).toMatch(/^cft_[0-9a-f]{12}_/);
    expect(await authenticateApiToken(t.database, token)).toEqual({
      id,
      name: 'DUI Exemple',
      scopes: ['audit:read'],
      idNat: null,
    });
    const personal = await createApiToken(t.database, {
      name: 'Mme X',
      scopes: ['identity:write'],
      idNat: '810000000009',
    });
    expect((await authenticateApiToken(t.database, personal.token))?.idNat).toBe('810000000009');
    await expect(
      createApiToken(t.database, { name: 'Mme Y', scopes: ['identity:write'], idNat: '12' }),
    ).rejects.toThrow(/idNat_PS invalide/);
    const [info] = await listApiTokens(t.database);
    expect(info?.lastUsedAt).toBeInstanceOf(Date);
    expect(await revokeApiToken(t.database, id)).toBe(true);
    expect(await revokeApiToken(t.database, id)).toBe(false);
    expect(await authenticateApiToken(t.database, token)).toBeNull();
  });

  it('refuses a wrong secret, a malformed token and an unknown id alike', async () => {
    const { token } = await createApiToken(t.database, { name: 'x', scopes: ['audit:read'] });
    const wrongSecret = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const presented of [wrongSecret, `cft_000000000000_${'a'.repeat(43)}`, 'Bearer x', '']) {
      expect(await authenticateApiToken(t.database, presented)).toBeNull();
    }
  });

  it('refuses unknown scopes and empty names', async () => {
    await expect(createApiToken(t.database, { name: 'x', scopes: ['tout'] })).rejects.toThrow(
      /Droits inconnus : tout/,
    );
    await expect(createApiToken(t.database, { name: ' ', scopes: ['audit:read'] })).rejects.toThrow(
      /nom du jeton/,
    );
  });
});
