import { describe, expect, it } from 'vitest';
import { AnnuaireClient, ApiError } from './client.ts';

function scripted(responses: Array<Response | Error>) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetcher: typeof fetch = async (input, init) => {
    calls.push({ url: String(input), headers: init?.headers as Record<string, string> });
    const next = responses.shift();
    if (!next) throw new Error('no more scripted responses');
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, fetcher };
}

const client = (fetcher: typeof fetch, maxAttempts = 4) =>
  new AnnuaireClient({
    baseUrl: 'https://api.test/fhir/v2',
    apiKey: 'k',
    requestsPerSecond: 10_000,
    backoffMs: 1,
    maxAttempts,
    fetch: fetcher,
  });

const outcome = (diagnostics: string) =>
  JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ diagnostics }] });

describe('Annuaire Santé API client', () => {
  it('sends the API key and retries 429, 5xx and network errors until an answer comes', async () => {
    const { calls, fetcher } = scripted([
      new Response(outcome('Too Many Requests'), { status: 429, headers: { 'retry-after': '0' } }),
      new Response('bad gateway', { status: 502 }),
      new TypeError('fetch failed'),
      new Response('{"resourceType":"Bundle"}', { status: 200 }),
    ]);
    const c = client(fetcher);
    expect(await c.get('https://api.test/fhir/v2/Practitioner')).toEqual({ resourceType: 'Bundle' });
    expect(calls).toHaveLength(4);
    expect(calls[0]?.headers['ESANTE-API-KEY']).toBe('k');
    expect(c.stats).toEqual({ requests: 4, retries: 3, throttled: 1 });
  });

  it('gives up after its attempts, naming the status and the server’s diagnostics', async () => {
    const { fetcher } = scripted(
      Array.from({ length: 3 }, () => new Response(outcome('HAPI-0389: boom'), { status: 500 })),
    );
    const error = (await client(fetcher, 3)
      .get('https://api.test/fhir/v2/Practitioner')
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('HTTP 500 après 3 tentative(s) : HAPI-0389: boom');
  });

  it('does not retry a refusal such as 400 or 401', async () => {
    const { calls, fetcher } = scripted([
      new Response(outcome('HAPI-0524: Unknown search parameter'), { status: 400 }),
    ]);
    const error = (await client(fetcher)
      .get('https://api.test/fhir/v2/Practitioner?x=1')
      .catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(400);
    expect(calls).toHaveLength(1);
  });

  it('refuses to follow a link to another host, so the key stays with the API', async () => {
    const { calls, fetcher } = scripted([]);
    const error = (await client(fetcher)
      .get('https://elsewhere.test/fhir/v2/_page?id=1')
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toContain('elsewhere.test');
    expect(calls).toHaveLength(0);
  });

  it('reports an unreadable body', async () => {
    const { fetcher } = scripted([new Response('<html>', { status: 200 })]);
    await expect(client(fetcher).get('https://api.test/fhir/v2/Organization')).rejects.toThrow(
      /JSON invalide/,
    );
  });

  it('spaces request starts by the rate and gives each slot to the waiting request of highest priority', async () => {
    const started: Array<{ url: string; at: number }> = [];
    const fetcher: typeof fetch = async (input) => {
      started.push({ url: String(input), at: performance.now() });
      return new Response('{}', { status: 200 });
    };
    const c = new AnnuaireClient({
      baseUrl: 'https://api.test/fhir/v2',
      apiKey: 'k',
      requestsPerSecond: 20,
      fetch: fetcher,
    });
    const page = (name: string, priority?: number) => c.get(`https://api.test/fhir/v2/${name}`, priority);
    await Promise.all([
      page('first'),
      page('low-1'),
      page('low-2', 0),
      page('high-1', 5),
      page('low-3'),
      page('high-2', 5),
      page('higher', 9),
    ]);
    expect(started.map((s) => s.url.split('/').pop())).toEqual([
      'first',
      'higher',
      'high-1',
      'high-2',
      'low-1',
      'low-2',
      'low-3',
    ]);
    // Seven starts at 20 a second: the last no sooner than six intervals of 50 ms after the first.
    const first = started[0]?.at ?? 0;
    for (const [i, s] of started.entries()) expect(s.at - first).toBeGreaterThanOrEqual(i * 50 - 1);
  });
});
