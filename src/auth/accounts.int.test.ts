import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import { upsertAccount } from './accounts.ts';

describeEachDriver('hub accounts', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => t?.drop());

  it('keeps one stable sub per national identifier and kind, with the claims of the last login', async () => {
    const first = await upsertAccount(t.database, 'professionnel', '810000000017', {
      nom_exercice: 'DUPONT',
    });
    const again = await upsertAccount(t.database, 'professionnel', '810000000017', {
      nom_exercice: 'DUPONT-MARTIN',
    });
    expect(again).toBe(first);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    const usager = await upsertAccount(t.database, 'usager', '810000000017', {});
    expect(usager).not.toBe(first);
  });
});
