import { sql } from 'kysely';
import { Batcher } from '../../db/batch.ts';
import type { Database } from '../../db/connect.ts';
import type { SearchRequest, Token } from './params.ts';
import { type Fetched, type PractitionerFetched, practitionerResourcesWhere } from './rows.ts';
import { identifierSystem } from './systems.ts';

interface Ask {
  snapshot: number;
  codes: string[];
}

/**
 * `Practitioner?identifier=…` is what a DUI asks most, one professional at a time: the lookups of concurrent
 * requests go to the database together (`Batcher`), each request then keeps the rows its tokens match.
 */
const batchers = new WeakMap<Database, Batcher<Ask, PractitionerFetched[]>>();

function batcherOf(database: Database): Batcher<Ask, PractitionerFetched[]> {
  let batcher = batchers.get(database);
  if (!batcher) {
    batcher = new Batcher((asks) => load(database, asks));
    batchers.set(database, batcher);
  }
  return batcher;
}

async function load(database: Database, asks: Ask[]): Promise<PractitionerFetched[][]> {
  const rowsBySnapshot = new Map<number, PractitionerFetched[]>();
  for (const snapshot of new Set(asks.map((a) => a.snapshot))) {
    const codes = [...new Set(asks.filter((a) => a.snapshot === snapshot).flatMap((a) => a.codes))];
    const rows = await practitionerResourcesWhere(
      database,
      sql`(p.id_nat = any(${codes}::text[]) or p.pp_id = any(${codes}::text[])) and p.created_import <= ${snapshot}`,
    );
    rowsBySnapshot.set(snapshot, rows);
  }
  return asks.map((a) => {
    const wanted = new Set(a.codes);
    return (rowsBySnapshot.get(a.snapshot) ?? []).filter(
      (r) => wanted.has(r.key) || (r.ppId !== null && wanted.has(r.ppId)),
    );
  });
}

/** Whether a row answers a token, as the search's `identifier` condition has it. */
function answers(row: PractitionerFetched, token: Token): boolean {
  if (token.system === identifierSystem.idNatPs) return row.key === token.code;
  if (token.system === identifierSystem.rpps) return row.idType === '8' && row.ppId === token.code;
  return row.key === token.code || row.ppId === token.code;
}

const knownSystems = new Set<string | undefined>([
  undefined,
  identifierSystem.idNatPs,
  identifierSystem.rpps,
]);

/**
 * The identifiers a search asks for when it is a lookup of practitioners by identifiers alone (other filters, a
 * system the lookup does not know, a token without a code: null).
 */
function lookupTokens(request: SearchRequest): Token[] | null {
  const [filter, ...others] = request.filters;
  if (request.resourceType !== 'Practitioner' || others.length > 0 || filter?.name !== 'identifier')
    return null;
  if (filter.type !== 'token') return null;
  const tokens = filter.values;
  if (tokens.length === 0 || tokens.some((t) => !t.code || !knownSystems.has(t.system))) return null;
  return tokens;
}

/**
 * The practitioners a first-page search on identifiers alone finds, in key order; null when the search is not such
 * a lookup (other filters, a system the lookup does not know, a token without a code).
 */
export async function lookUpPractitioners(
  database: Database,
  request: SearchRequest,
  snapshot: number,
): Promise<Fetched[] | null> {
  const tokens = lookupTokens(request);
  if (!tokens) return null;
  const rows = await batcherOf(database).get({ snapshot, codes: tokens.map((t) => t.code as string) });
  return rows.filter((row) => tokens.some((t) => answers(row, t)));
}
