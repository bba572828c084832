import { FhirError } from './errors.ts';

/**
 * Where a search's next page starts: after key `after`, among rows that existed at import `snapshot` (the newest
 * generation when the first page was read), so pages neither repeat nor skip rows while imports run. The total
 * counted on the first page travels along instead of being counted again.
 */
export interface Cursor {
  after: string;
  snapshot: number;
  total: number | null;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.after, cursor.snapshot, cursor.total])).toString('base64url');
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
    value.length !== 3 ||
    typeof value[0] !== 'string' ||
    !Number.isSafeInteger(value[1]) ||
    !(value[2] === null || Number.isSafeInteger(value[2]))
  )
    throw new FhirError(
      400,
      'invalid',
      'Jeton de page invalide ou altéré : reprenez la recherche depuis le début.',
      '_page',
    );
  return { after: value[0], snapshot: value[1], total: value[2] };
}
