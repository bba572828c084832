import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.ts';
import { describeEachDriver } from '../test/databases.ts';
import { appendEvent } from './audit/append.ts';
import { createApiToken } from './auth/api-token.ts';
import { readMigrations } from './db/migrate.ts';

const problemType = 'application/problem+json; charset=utf-8';

describeEachDriver('HTTP app', (driver) => {
  let s: TestApp;
  beforeAll(async () => {
    s = await createTestApp(driver);
    s.app.get('/api/v1/test-failure', { schema: { hide: true } }, async () => {
      throw new Error('secret detail at /src/db.ts:12');
    });
  });
  afterAll(() => s.close());

  const count = async () =>
    (
      await s.t.database.db
        .selectFrom('audit_event')
        .select((e) => e.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('serves the console home page with the instance status', async () => {
    await appendEvent(s.t.database, { action: 'test.event', outcome: 'success', actor: { kind: 'system' } });
    const res = await s.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<html lang="fr">');
    expect(res.body).toContain(driver === 'pglite' ? 'PGlite embarquée' : 'PostgreSQL');
    expect(res.body).toMatch(/Intègre<\/span> 1 événement chaîné/);
    expect(res.body).toContain(`${readMigrations().length} migrations appliquées`);
  });

  it('serves its assets locally', async () => {
    const res = await s.app.inject({ url: '/assets/confiance.css' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/css');
  });

  it('reports health of process, database and schema', async () => {
    const res = await s.app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      checks: { process: { status: 'ok' }, database: { status: 'ok' }, migrations: { status: 'ok' } },
    });
    expect((await s.app.inject({ url: '/health/live' })).json()).toEqual({ status: 'ok' });
  });

  it('exposes Prometheus metrics labelled by route pattern', async () => {
    await s.app.inject({ url: '/health' });
    const res = await s.app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /confiance_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/,
    );
    expect(res.body).toContain('confiance_process_cpu_seconds_total');
  });

  it('publishes an OpenAPI 3.1 document of /api/v1 and its reference page', async () => {
    const doc = (await s.app.inject({ url: '/api/v1/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/audit/events', '/api/v1/audit/chain']),
    );
    expect(Object.keys(doc.paths).every((p: string) => p.startsWith('/api/v1/'))).toBe(true);
    expect(doc.paths['/api/v1/audit/events'].get.parameters.map((p: { name: string }) => p.name)).toContain(
      'structure',
    );
    const page = await s.app.inject({ url: '/api/v1/reference' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<code>/api/v1/audit/events</code>');
    expect(page.body).toContain('Lister les événements d’audit');
  });

  it('sets security headers and a request id', async () => {
    const res = await s.app.inject({ url: '/', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const generated = await s.app.inject({ url: '/', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('bad input gets problem+json and changes nothing', () => {
    it.each([
      ['an unknown route', { method: 'GET', url: '/api/v1/nothing' }, 404],
      ['an unknown method', { method: 'DELETE', url: '/api/v1/audit/events' }, 404],
      ['an invalid query parameter', { method: 'GET', url: '/api/v1/audit/events?limit=0' }, 400],
      ['an unknown query parameter', { method: 'GET', url: '/api/v1/audit/events?colour=red' }, 400],
      ['an invalid date', { method: 'GET', url: '/api/v1/audit/events?since=hier' }, 400],
      ['a forged cursor', { method: 'GET', url: '/api/v1/audit/events?cursor=abc' }, 400],
      [
        'an inverted period',
        { method: 'GET', url: '/api/v1/audit/events?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z' },
        400,
      ],
      [
        'malformed JSON',
        {
          method: 'POST',
          url: '/api/v1/audit/events',
          payload: '{"action":',
          headers: { 'content-type': 'application/json' },
        },
        400,
      ],
      [
        'an empty JSON body',
        {
          method: 'POST',
          url: '/api/v1/audit/events',
          payload: '',
          headers: { 'content-type': 'application/json' },
        },
        400,
      ],
      [
        'a wrong content type',
        {
          method: 'POST',
          url: '/api/v1/audit/events',
          payload: 'action=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        415,
      ],
      [
        'an oversized body',
        {
          method: 'POST',
          url: '/api/v1/audit/events',
          payload: JSON.stringify({ action: 'x', details: { pad: 'x'.repeat(1_100_000) } }),
          headers: { 'content-type': 'application/json' },
        },
        413,
      ],
      [
        'a body missing fields',
        { method: 'POST', url: '/api/v1/audit/events', payload: { action: 'dui.test' } },
        400,
      ],
      [
        'health data in details',
        {
          method: 'POST',
          url: '/api/v1/audit/events',
          payload: {
            action: 'dui.test',
            outcome: 'success',
            actor: { kind: 'professional', id: '810000000000' },
            details: { nir: '1' },
          },
        },
        422,
      ],
    ] as const)('%s → %i', async (_name, request, status) => {
      const before = await count();
      const res = await s.app.inject({
        ...request,
        headers: { ...s.auth, ...('headers' in request ? request.headers : {}) },
      } as never);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe(problemType);
      const body = res.json();
      expect(body).toMatchObject({ status, type: 'about:blank', requestId: res.headers['x-request-id'] });
      expect(body.title).toMatch(/^[A-ZÉ]/);
      expect(body.detail.length).toBeGreaterThan(10);
      expect(res.body).not.toMatch(/at .*\.ts:\d+|node_modules|FST_/);
      expect(await count()).toBe(before);
    });

    it('names every invalid parameter', async () => {
      const res = await s.app.inject({
        url: '/api/v1/audit/events?limit=9999&structure=123',
        headers: s.auth,
      });
      expect(res.json().invalidParams).toEqual([
        { name: 'structure', in: 'query', reason: 'n’a pas la forme attendue' },
        { name: 'limit', in: 'query', reason: 'doit être ≤ 500' },
      ]);
    });

    it('answers browsers with a French HTML 404 page', async () => {
      const res = await s.app.inject({ url: '/inconnue', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('Page introuvable');
      expect(res.body).toContain('href="/"');
    });

    it('hides faults behind a 500 with no stack trace, and logs them', async () => {
      const res = await s.app.inject({ url: '/api/v1/test-failure' });
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toBe(problemType);
      expect(res.body).not.toContain('secret detail');
      expect(s.logs.join('')).toContain('secret detail');
    });
  });

  describe('audit API', () => {
    it('requires a bearer token with the right scope', async () => {
      const none = await s.app.inject({ url: '/api/v1/audit/events' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toContain('Bearer');
      const { token } = await createApiToken(s.t.database, { name: 'lecture seule', scopes: ['audit:read'] });
      const readOnly = { authorization: `Bearer ${token}` };
      expect((await s.app.inject({ url: '/api/v1/audit/events', headers: readOnly })).statusCode).toBe(200);
      const write = await s.app.inject({
        method: 'POST',
        url: '/api/v1/audit/events',
        headers: readOnly,
        payload: {
          action: 'dui.test',
          outcome: 'success',
          actor: { kind: 'professional', id: '810000000000' },
        },
      });
      expect(write.statusCode).toBe(403);
      expect(write.json().detail).toContain('audit:write');
    });

    it('records an event from a DUI with who reported it, and lists it back filtered', async () => {
      const created = await s.app.inject({
        method: 'POST',
        url: '/api/v1/audit/events',
        headers: s.auth,
        payload: {
          action: 'dui.dossier.consultation',
          outcome: 'success',
          actor: { kind: 'professional', id: '810100000001' },
          structureFiness: '2A0000019',
          mie: { means: 'e-CPS', level: 'eidas2' },
          subject: { type: 'usager', id: 'u-42' },
        },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        actor: { kind: 'professional', id: '810100000001' },
        mie: { means: 'e-CPS' },
      });
      expect(created.json().details.reportedBy).toMatch(/^[0-9a-f]{12}$/);
      const listed = await s.app.inject({
        url: '/api/v1/audit/events?structure=2A0000019&subjectType=usager&subjectId=u-42&actor=810100000001&action=dui.*',
        headers: s.auth,
      });
      expect(listed.json().events.map((e: { seq: number }) => e.seq)).toEqual([created.json().seq]);
    });

    it('pages with absolute next links until the end', async () => {
      for (let i = 0; i < 5; i++)
        await appendEvent(s.t.database, {
          action: 'test.page',
          outcome: 'success',
          actor: { kind: 'system' },
        });
      const seen: number[] = [];
      let url: string | null = '/api/v1/audit/events?action=test.page&limit=2';
      while (url) {
        const page = (await s.app.inject({ url, headers: s.auth })).json() as {
          events: Array<{ seq: number }>;
          next: string | null;
        };
        seen.push(...page.events.map((e) => e.seq));
        if (page.next) expect(page.next.startsWith(s.ctx.config.baseUrl)).toBe(true);
        url = page.next ? page.next.slice(s.ctx.config.baseUrl.length) : null;
      }
      expect(seen).toHaveLength(5);
      expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    });

    it('traces every read of the trail, and reports the chain state', async () => {
      await s.app.inject({ url: '/api/v1/audit/events?limit=1', headers: s.auth });
      const reads = await s.app.inject({
        url: '/api/v1/audit/events?action=audit.events.read&limit=1',
        headers: s.auth,
      });
      expect(reads.json().events[0]).toMatchObject({ actor: { kind: 'software' }, outcome: 'success' });
      const chain = await s.app.inject({ url: '/api/v1/audit/chain', headers: s.auth });
      expect(chain.json()).toMatchObject({ status: 'intact', firstBreak: null });
    });

    it('keeps query strings, which may name people, out of the logs', async () => {
      await s.app.inject({
        url: '/api/v1/audit/events?subjectType=usager&subjectId=DUPONT-Jeanne',
        headers: s.auth,
      });
      const logs = s.logs.join('');
      expect(logs).not.toContain('DUPONT');
      expect(logs).not.toContain(s.auth.authorization.slice(7));
    });
  });
});

describe('rate limiting', () => {
  it('answers 429 problem+json with Retry-After once the limit is reached', async () => {
    const s = await createTestApp('pglite', { CONFIANCE_RATE_LIMIT_MAX: '3' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await s.app.inject({ url: '/api/v1' })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      const limited = await s.app.inject({ url: '/api/v1' });
      expect(limited.headers['content-type']).toBe(problemType);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json().title).toBe('Trop de requêtes');
      expect((await s.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await s.close();
    }
  });
});
