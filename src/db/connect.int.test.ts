import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../test/databases.ts';
import { type Database, maxPreparedPerConnection, openDatabase } from './connect.ts';

describePostgres('prepared statements of a PostgreSQL connection', () => {
  let t: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    t = await createTestDatabase('postgres', { migrate: false });
    // One connection, so that every query below runs on the same backend.
    database = await openDatabase({ databaseUrl: t.url, poolMax: 1 });
  });
  afterAll(async () => {
    await database?.close();
    await t?.drop();
  });

  const preparedCount = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(database.db))
      .rows[0]?.n;

  it('prepares each read shape once, and never more shapes than the cap, still answering past it', async () => {
    // Shapes that differ by the number of values listed, as `_id=a,b,c…` searches do.
    const shape = (n: number) =>
      sql<{ total: number }>`select (${sql.join(
        Array.from({ length: n }, (_, i) => sql`${i}::int`),
        sql` + `,
      )})::int as total`;
    for (let n = 1; n <= 10; n++) await shape(n).execute(database.db);
    expect(await preparedCount()).toBe(10);
    await shape(3).execute(database.db);
    expect(await preparedCount()).toBe(10);
    for (let n = 11; n <= maxPreparedPerConnection + 20; n++) {
      const r = await shape(n).execute(database.db);
      expect(r.rows[0]?.total).toBe((n * (n - 1)) / 2);
    }
    expect(await preparedCount()).toBe(maxPreparedPerConnection);
  });
});
