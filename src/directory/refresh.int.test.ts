import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import { type GeneratedDay, generateDirectory } from './generate/generate.ts';
import { parseSources, refreshDirectory } from './refresh.ts';

/** A stand-in for the ANS download service: HEAD names the current file, GET serves it, with Range support. */
function extractionServer(files: { current: Record<string, string> }, faults: { cutNext: boolean }) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const kind = (req.url ?? '').split('/').at(-1) ?? '';
    const path = files.current[kind];
    if (!path) return res.writeHead(404).end();
    const body = readFileSync(path);
    const name = path.split('/').at(-1);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    requests.push(`${req.method} ${kind}${range ? ` from ${range[1]}` : ''}`);
    const headers = {
      'content-disposition': `attachment; filename=${name}`,
      'accept-ranges': 'bytes',
      'content-type': 'application/zip',
    };
    if (req.method === 'HEAD') return res.writeHead(200, { ...headers, 'content-length': body.length }).end();
    const start = range ? Number(range[1]) : 0;
    const slice = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'content-length': slice.length,
      ...(range && { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }),
    });
    if (faults.cutNext) {
      faults.cutNext = false;
      res.write(slice.subarray(0, Math.floor(slice.length / 2)), () => setTimeout(() => res.destroy(), 200));
      return;
    }
    res.end(slice);
  });
  return { server, requests };
}

let days: GeneratedDay[];
beforeAll(async () => {
  days = await generateDirectory({
    profile: { persons: 300, structures: 30, departure: 0.005, arrival: 0.005, move: 0.005, closure: 0 },
    seed: 21,
    days: 2,
    out: mkdtempSync(join(tmpdir(), 'confiance-refresh-')),
  });
});

describeEachDriver('scheduled directory refresh', (driver) => {
  let t: TestDatabase;
  let server: Server;
  let requests: string[];
  const files = { current: {} as Record<string, string> };
  const faults = { cutNext: false };
  const serve = (day: GeneratedDay) => {
    files.current = {
      PS_LibreAcces: join(day.dir, `PS_LibreAcces_${day.stamp}.zip`),
      Extraction_Correspondance_MSSante: join(day.dir, `Extraction_Correspondance_MSSante_${day.stamp}.zip`),
    };
  };
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    const s = extractionServer(files, faults);
    server = s.server;
    requests = s.requests;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.close();
    await t.drop();
  });

  it('downloads, resumes an interrupted download, imports, then skips what it already has', async () => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/extraction`;
    const sources = parseSources(`${base}/PS_LibreAcces, ${base}/Extraction_Correspondance_MSSante`);
    const downloadDir = mkdtempSync(join(tmpdir(), 'confiance-downloads-'));
    serve(days[0] as GeneratedDay);

    faults.cutNext = true;
    await expect(refreshDirectory(t.database, sources, { downloadDir })).rejects.toThrow();
    const resumed = await refreshDirectory(t.database, sources, { downloadDir });
    expect(resumed.report?.status, resumed.report?.message).toBe('success');
    expect(requests).toContainEqual(expect.stringMatching(/^GET PS_LibreAcces from \d+$/));
    expect(resumed.report?.resources.activity?.created).toBeGreaterThan(0);

    requests.length = 0;
    const unchanged = await refreshDirectory(t.database, sources, { downloadDir });
    expect(unchanged).toEqual({ files: [], report: null });
    expect(requests).toEqual(['HEAD PS_LibreAcces', 'HEAD Extraction_Correspondance_MSSante']);

    serve(days[1] as GeneratedDay);
    const next = await refreshDirectory(t.database, sources, { downloadDir });
    expect(next.files.map((f) => f.split('/').at(-1))).toEqual([
      `PS_LibreAcces_${days[1]?.stamp}.zip`,
      `Extraction_Correspondance_MSSante_${days[1]?.stamp}.zip`,
    ]);
    expect(next.report?.status).toBe('success');
  });

  it('takes the newest files of a folder source', async () => {
    const folder = (days[1] as GeneratedDay).dir;

    const result = await refreshDirectory(t.database, parseSources(folder), {
      downloadDir: mkdtempSync(join(tmpdir(), 'x-')),
    });
    expect(result.files.map((f) => f.split('/').at(-1))).toEqual([
      `etalab-cs1100505-stock-${days[1]?.stamp.slice(0, 8)}-0400.csv`,
      `etalab-cs1100507-stock-${days[1]?.stamp.slice(0, 8)}-0400.csv`,
    ]);
    expect(result.report?.status).toBe('success');
  });
});
