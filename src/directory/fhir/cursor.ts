import { FhirError } from './errors.ts';

/**
 * Where a search's next page starts: after key `after` (and, for searches paged in name order, after sort value
 * `sort`), among rows that existed at import `snapshot` (the newest generation when the first page was read), so
 * pages neither repeat nor skip rows while imports run. The total counted on the first page travels along instead of
 * being counted again.
 */
export interface Cursor {
  after: string;
  sort?: string;
  snapshot: number;
  total: number | null;
}

export function encodeCursor(cursor: Cursor): string {
  const fields = [cursor.after, cursor.snapshot, cursor.total];
  return Buffer.from(JSON.stringify(cursor.sort === undefined ? fields : [...fields, cursor.sort])).toString(
    'base64url',
  );
}

export function decodeCursor(token: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (
    !Array.isArray(value) ||
    (value.length !== 3 && value.length !== 4) ||
    typeof value[0] !== 'string' ||
    !Number.isSafeInteger(value[1]) ||
    !(value[2] === null || Number.isSafeInteger(value[2])) ||
    (value.length === 4 && typeof value[3] !== 'string')
  )
    throw invalidPage();
  const cursor: Cursor = { after: value[0], snapshot: value[1], total: value[2] };
  if (value.length === 4) cursor.sort = value[3];
  return cursor;
}

export const invalidPage = () =>
  new FhirError(
    400,
    'invalid',
    'Jeton de page invalide ou altéré : reprenez la recherche depuis le début.',
    '_page',
  );
