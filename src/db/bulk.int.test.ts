import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';

const awkward = [
  '',
  'a,b',
  'dit "bonjour"',
  'ligne 1\nligne 2',
  'ÉLÉONORE d’Arc',
  '\\N',
  'NULL',
  '  espaces  ',
  '😀',
];

describeEachDriver('bulk loader (COPY)', (driver) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(driver);
    await sql`create table bulk_probe (id integer primary key, label text, n bigint, flag boolean, at timestamptz, data jsonb)`.execute(
      t.database.db,
    );
  });
  afterEach(() => t.drop());

  it('loads rows from an async stream and reads them back identically, NULL and empty string apart', async () => {
    async function* rows() {
      for (let i = 0; i < 20_000; i++) {
        yield [
          i,
          i % 10 === 9 ? null : (awkward[i % awkward.length] ?? ''),
          i * 1000,
          i % 2 === 0,
          new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)),
          { i, tags: ['x', 'y'] },
        ] as const;
      }
    }
    const loaded = await t.database.bulk.copy(
      'bulk_probe',
      ['id', 'label', 'n', 'flag', 'at', 'data'],
      rows(),
    );
    expect(loaded).toBe(20_000);
    const back = await sql<{
      id: number;
      label: string | null;
      n: number;
      flag: boolean;
      at: Date;
      data: unknown;
    }>`
      select * from bulk_probe where id < 20 order by id`.execute(t.database.db);
    back.rows.forEach((row, i) => {
      expect(row).toEqual({
        id: i,
        label: i % 10 === 9 ? null : awkward[i % awkward.length],
        n: i * 1000,
        flag: i % 2 === 0,
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)),
        data: { i, tags: ['x', 'y'] },
      });
    });
    const counts = await sql<{ n: number; nulls: number; empties: number }>`
      select count(*)::int as n, count(*) filter (where label is null)::int as nulls,
             count(*) filter (where label = '')::int as empties from bulk_probe`.execute(t.database.db);
    expect(counts.rows[0]).toEqual({ n: 20_000, nulls: 2_000, empties: expect.any(Number) });
    expect(counts.rows[0]?.empties).toBeGreaterThan(0);
    // Every row, across the chunk boundaries (multi-byte characters included).
    const labels = await sql<{ label: string | null }>`select label from bulk_probe order by id`.execute(
      t.database.db,
    );
    expect(labels.rows.map((r) => r.label)).toEqual(
      Array.from({ length: 20_000 }, (_, i) => (i % 10 === 9 ? null : (awkward[i % awkward.length] ?? ''))),
    );
  });

  it('loads a row larger than a chunk', async () => {
    const long = `${'é'.repeat(40_000)}😀${'x'.repeat(30_000)}`;
    expect(
      await t.database.bulk.copy(
        'bulk_probe',
        ['id', 'label'],
        [
          [1, 'avant'],
          [2, long],
          [3, 'après'],
        ],
      ),
    ).toBe(3);
    const back = await sql<{ label: string }>`select label from bulk_probe order by id`.execute(
      t.database.db,
    );
    expect(back.rows.map((r) => r.label)).toEqual(['avant', long, 'après']);
  });

  it('loads from a plain array', async () => {
    expect(
      await t.database.bulk.copy(
        'bulk_probe',
        ['id', 'label'],
        [
          [1, 'un'],
          [2, null],
        ],
      ),
    ).toBe(2);
  });

  it('fails clearly on a row of the wrong width or a constraint violation', async () => {
    await expect(t.database.bulk.copy('bulk_probe', ['id', 'label'], [[1, 'a', 'extra']])).rejects.toThrow(
      /3 valeurs pour 2 colonnes/,
    );
    await expect(t.database.bulk.copy('bulk_probe', ['id'], [[1], [1]])).rejects.toThrow(/duplicate key/);
    const left = await sql<{ n: number }>`select count(*)::int as n from bulk_probe`.execute(t.database.db);
    expect(left.rows[0]?.n).toBe(0);
    // The database stays usable after a failed COPY.
    expect(await t.database.bulk.copy('bulk_probe', ['id'], [[5]])).toBe(1);
  });
});
