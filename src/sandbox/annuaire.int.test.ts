import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { generateDirectory } from '../directory/generate/generate.ts';
import { importDirectory } from '../directory/import/import.ts';
import { buildAnnuaireEmulator } from './annuaire.ts';

type Json = Record<string, any>;
const key = { 'esante-api-key': 'cle' };

describe('emulator of the national Annuaire Santé API', () => {
  let t: TestDatabase;
  let limited: FastifyInstance;
  let open: FastifyInstance;
  let later: Date;

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    const days = await generateDirectory({
      profile: { persons: 150, structures: 10, departure: 0.05, arrival: 0, move: 0, closure: 0 },
      seed: 5,
      days: 2,
      out: mkdtempSync(join(tmpdir(), 'confiance-emu-')),
    });
    for (const day of days) expect((await importDirectory(t.database, [day.dir])).status).toBe('success');
    later = new Date(Date.now() + 31 * 86_400_000);
    limited = await buildAnnuaireEmulator({ database: t.database, apiKeys: ['cle'], requestsPerSecond: 17 });
    open = await buildAnnuaireEmulator({
      database: t.database,
      apiKeys: ['cle'],
      requestsPerSecond: null,
      maxCount: 100,
      now: () => later,
    });
  }, 60_000);
  afterAll(async () => {
    await limited.close();
    await open.close();
    await t.drop();
  });

  it('requires the ESANTE-API-KEY header', async () => {
    const none = await limited.inject({ url: '/fhir/v2/Practitioner' });
    expect(none.statusCode).toBe(401);
    expect(none.json().resourceType).toBe('OperationOutcome');
    const wrong = await limited.inject({ url: '/fhir/v2/Practitioner', headers: { 'esante-api-key': 'x' } });
    expect(wrong.statusCode).toBe(401);
    expect((await limited.inject({ url: '/fhir/v2/metadata', headers: key })).statusCode).toBe(200);
  });

  it('answers 429 with Retry-After beyond 17 requests a second', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () =>
        limited.inject({ url: '/fhir/v2/Organization?_count=1', headers: key }),
      ),
    );
    const tooMany = statuses.filter((r) => r.statusCode === 429);
    expect(tooMany.length).toBeGreaterThanOrEqual(12);
    expect(tooMany[0]?.headers['retry-after']).toBe('1');
    expect(statuses.filter((r) => r.statusCode === 200).length).toBeLessThanOrEqual(18);
  });

  it('caps _count and pages through opaque _page?id= links that cannot be forged', async () => {
    const first = await open.inject({
      url: '/fhir/v2/Practitioner?_count=5000&_total=accurate',
      headers: key,
    });
    const body = first.json() as Json;
    expect(body.entry.length).toBe(100);
    const next = body.link.find((l: Json) => l.relation === 'next').url as string;
    expect(next).toMatch(/\/fhir\/v2\/_page\?id=[A-Za-z0-9_-]+$/);
    const second = await open.inject({ url: next.replace(/^http:\/\/[^/]+/, ''), headers: key });
    expect(second.statusCode).toBe(200);
    const ids = new Set([...body.entry, ...second.json().entry].map((e: Json) => e.resource.id));
    expect(ids.size).toBe(body.entry.length + second.json().entry.length);
    const forged = next.replace(/id=(.)/, (_m, c) => `id=${c === 'A' ? 'B' : 'A'}`);
    const refused = await open.inject({ url: forged.replace(/^http:\/\/[^/]+/, ''), headers: key });
    expect(refused.statusCode).toBe(410);
  });

  it('serves deactivated practitioners reduced to identifiers, and purges them after 30 days', async () => {
    const inactive = await limited.inject({ url: '/fhir/v2/Practitioner?active=false', headers: key });
    const entries = inactive.json().entry as Json[];
    expect(entries.length).toBeGreaterThan(0);
    expect(Object.keys(entries[0]?.resource).sort()).toEqual([
      'active',
      'id',
      'identifier',
      'meta',
      'resourceType',
    ]);
    const purged = await open.inject({ url: '/fhir/v2/Practitioner?active=false', headers: key });
    expect(purged.json().entry).toEqual([]);
    const gone = (
      await sql<{ n: number }>`select count(*)::int as n from dir_professional where not active`.execute(
        t.database.db,
      )
    ).rows[0]?.n;
    expect(gone).toBe(entries.length);
  });

  it('answers errors in HAPI style', async () => {
    const unknown = await open.inject({ url: '/fhir/v2/Practitionner', headers: key });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().issue[0].diagnostics).toMatch(/^HAPI-0302: Unknown resource type 'Practitionner'/);
    const param = await open.inject({ url: '/fhir/v2/Practitioner?nom=X', headers: key });
    expect(param.statusCode).toBe(400);
    expect(param.json().issue[0].diagnostics).toContain('HAPI-0524');
  });
});
