import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../../test/databases.ts';
import { rowHash } from './line-stager.ts';

describeEachDriver('content hash of a staged line', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver, { migrate: false });
  });
  afterAll(() => t.drop());

  it("is PostgreSQL's md5(row(…)::text) of the same fields, whatever they hold", async () => {
    // Everything record output quotes or doubles, ASCII and Unicode spaces (quoted only for the ASCII ones), accents.
    const unit = fc.constantFrom(
      'a',
      'Z',
      '0',
      'é',
      '"',
      '\\',
      '(',
      ')',
      ',',
      ' ',
      '\t',
      '\v',
      '\f',
      '\r',
      '\n',
    );
    const other = fc.constantFrom('\u00a0', '\u2009', '\u3000', '😀', "'", ';', '|', '{', '}');
    const field = fc.string({ unit: fc.oneof(unit, other), maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(field, field, field), { minLength: 1, maxLength: 40 }),
        async (rows) => {
          const column = (i: number) => rows.map((r) => (r[i] === '' ? null : r[i]));
          const { rows: hashes } = await sql<{ h: string }>`
          select md5(row(a, b, c)::text) as h
          from unnest(${column(0)}::text[], ${column(1)}::text[], ${column(2)}::text[]) with ordinality as v(a, b, c, n)
          order by n`.execute(t.database.db);
          expect(rows.map((r) => rowHash(r, [0, 1, 2]))).toEqual(hashes.map((h) => h.h));
        },
      ),
      { numRuns: 50 },
    );
  });
});
