import { expect, it, vi } from 'vitest';
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

it('reads it once for the requests that find it expired together, and again after a failed read', async () => {
  const t = await createTestDatabase('pglite');
  try {
    const executor = t.database.db.getExecutor();
    const execute = vi.spyOn(executor, 'executeQuery');
    const ids = await Promise.all(Array.from({ length: 20 }, () => currentSnapshot(t.database)));
    expect(ids).toEqual(Array(20).fill(0));
    expect(execute).toHaveBeenCalledTimes(1);
    snapshotChanged(t.database);
    execute.mockRejectedValueOnce(new Error('connexion perdue'));
    await expect(currentSnapshot(t.database)).rejects.toThrow('connexion perdue');
    expect(await currentSnapshot(t.database)).toBe(0);
    expect(execute).toHaveBeenCalledTimes(3);
  } finally {
    await t.drop();
  }
});
