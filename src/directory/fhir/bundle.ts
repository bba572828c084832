import { randomBytes, randomUUID } from 'node:crypto';
import { encodeCursor } from './cursor.ts';
import type { Query, ResourceType } from './params.ts';
import { type Resource, resourceObject, StoredResource } from './rows.ts';
import type { SearchResult } from './search.ts';
import { codeSystem } from './systems.ts';

type Json = Record<string, unknown>;

/** Rebuilds a query string in a stable order, `_page` left out (the next link adds its own). */
export function queryString(query: Query, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query).sort(([a], [b]) => a.localeCompare(b))) {
    if (key === '_page' || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  for (const [key, value] of Object.entries(extra)) params.append(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Keeps the mandatory elements and those asked for, and tags the resource as a subset (FHIR `_elements`). */
export function subset(stored: Resource, elements: string[]): Json {
  const resource = resourceObject(stored);
  const kept: Json = {};
  for (const [key, value] of Object.entries(resource))
    if (key === 'resourceType' || key === 'id' || key === 'meta' || elements.includes(key)) kept[key] = value;
  const meta = (resource.meta ?? {}) as Json;
  kept.meta = { ...meta, tag: [{ system: codeSystem.subsetted, code: 'SUBSETTED' }] };
  return kept;
}

export interface BundleInput {
  base: string;
  resourceType: ResourceType;
  query: Query;
  result: SearchResult;
  elements: string[] | null;
}

/** A `searchset` Bundle: `self` and `next` links, match and include entries, warnings as an outcome entry. */
export function searchBundle({ base, resourceType, query, result, elements }: BundleInput): Json {
  const entry = (resource: Resource, mode: 'match' | 'include') => ({
    fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
    resource: elements && mode === 'match' ? subset(resource, elements) : resource,
    search: { mode },
  });
  const link = [{ relation: 'self', url: `${base}/${resourceType}${queryString(query)}` }];
  if (result.next)
    link.push({
      relation: 'next',
      url: `${base}/${resourceType}${queryString(query, { _page: encodeCursor(result.next) })}`,
    });
  const outcome =
    result.warnings.length > 0
      ? [
          {
            resource: {
              resourceType: 'OperationOutcome',
              issue: result.warnings.map((diagnostics) => ({
                severity: 'warning',
                code: 'too-costly',
                diagnostics,
              })),
            },
            search: { mode: 'outcome' },
          },
        ]
      : [];
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { lastUpdated: new Date().toISOString() },
    type: 'searchset',
    ...(result.total !== null && { total: result.total }),
    link,
    entry: [
      ...result.matches.map((r) => entry(r, 'match')),
      ...result.included.map((r) => entry(r, 'include')),
      ...outcome,
    ],
  };
}

/** Marks where a stored resource's text goes; the nonce keeps any string of the data from passing for one. */
const nonce = randomBytes(8).toString('hex');
const marker = `\u0000stored-${nonce}:`;
/** The marker as JSON writes it (`\u0000` escaped), then the stored resource's index, quoted. */
const markerPattern = new RegExp(`"\\\\u0000stored-${nonce}:(\\d+)"`, 'g');

/**
 * `JSON.stringify` of a resource or a Bundle, a stored resource (`StoredResource`: the value itself or an entry's)
 * written as its text, neither parsed nor escaped. Only a Bundle holding one is rewritten: a replacer function would
 * have visited every value of every answer, and nearly doubled the time to serialise pages of built resources.
 */
export function toJsonText(value: unknown): string {
  if (value instanceof StoredResource) return value.text;
  const entry = (value as { entry?: unknown } | null)?.entry;
  const stored = (e: unknown) => (e as { resource?: unknown } | null)?.resource instanceof StoredResource;
  if (!Array.isArray(entry) || !entry.some(stored)) return JSON.stringify(value);
  const texts: string[] = [];
  const marked = entry.map((e: { resource: unknown }) =>
    e.resource instanceof StoredResource
      ? { ...e, resource: `${marker}${texts.push(e.resource.text) - 1}` }
      : e,
  );
  return JSON.stringify({ ...(value as object), entry: marked }).replace(
    markerPattern,
    (_match, i: string) => texts[Number(i)] as string,
  );
}
