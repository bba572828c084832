import { expect, it } from 'vitest';
import { createTestDatabase } from '../../test/databases.ts';
import { currentSnapshot, snapshotChanged } from './snapshot.ts';

it('reads the newest successful generation, cached until told it changed', async () => {
  const t = await createTestDatabase('pglite');
  try {
    expect(await currentSnapshot(t.database)).toBe(0);
    const row = await t.database.db
      .insertInto('dir_import')
      .values({ status: 'success', sources: '[]', report: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await currentSnapshot(t.database)).toBe(0);
    snapshotChanged(t.database);
    expect(await currentSnapshot(t.database)).toBe(row.id);
    await t.database.db
      .insertInto('dir_import')
      .values({ status: 'running', sources: '[]', report: '{}' })
      .execute();
    snapshotChanged(t.database);
    expect(await currentSnapshot(t.database)).toBe(row.id);
  } finally {
    await t.drop();
  }
});
