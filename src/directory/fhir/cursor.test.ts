import fc from 'fast-check';
import { expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { FhirError } from './errors.ts';

it('round-trips a cursor and refuses anything else as _page', () => {
  fc.assert(
    fc.property(
      fc.string(),
      fc.option(fc.string(), { nil: undefined }),
      fc.nat(),
      fc.option(fc.nat(), { nil: null }),
      (after, sort, snapshot, total) => {
        const cursor = sort === undefined ? { after, snapshot, total } : { after, sort, snapshot, total };
        expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
      },
    ),
  );
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/), (token) => {
      try {
        decodeCursor(token);
      } catch (error) {
        expect(error).toBeInstanceOf(FhirError);
        expect((error as FhirError).parameter).toBe('_page');
      }
    }),
  );
});
