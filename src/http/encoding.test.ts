import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress, preferredEncoding } from './encoding.ts';

describe('preferredEncoding', () => {
  it('picks the supported coding the client weighs most', () => {
    expect(preferredEncoding(undefined)).toBeNull();
    expect(preferredEncoding('')).toBeNull();
    expect(preferredEncoding('gzip, deflate')).toBe('gzip');
    expect(preferredEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(preferredEncoding('br;q=0.5, gzip')).toBe('gzip');
    expect(preferredEncoding('GZIP;Q=0.8, deflate')).toBe('gzip');
    expect(preferredEncoding('deflate, identity')).toBeNull();
    expect(preferredEncoding('*')).toBe('br');
    expect(preferredEncoding('*;q=0.1, gzip;q=0.2')).toBe('gzip');
    expect(preferredEncoding(['deflate', 'gzip'])).toBe('gzip');
  });

  it('honours a refusal (q=0) and reads a malformed weight as zero', () => {
    expect(preferredEncoding('gzip;q=0')).toBeNull();
    expect(preferredEncoding('*, br;q=0')).toBe('gzip');
    expect(preferredEncoding('*;q=0, gzip;q=0.000')).toBeNull();
    expect(preferredEncoding('gzip;q=2')).toBeNull();
    expect(preferredEncoding('gzip;q=abc, br;q=0.5')).toBe('br');
  });

  it('answers a coding the header weighs above zero, or none, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (header) => {
        const coding = preferredEncoding(header);
        if (coding === null) return;
        const named = header
          .toLowerCase()
          .split(',')
          .map((item) => item.split(';')[0]?.trim());
        expect(named.includes(coding) || named.includes('*')).toBe(true);
      }),
    );
  });
});

describe('compress', () => {
  it('gives back the same bytes once decompressed, smaller for JSON', async () => {
    const body = Buffer.from(
      JSON.stringify({ entry: Array.from({ length: 50 }, (_, i) => ({ id: `81000000${i}`, active: true })) }),
    );
    const gz = await compress(body, 'gzip');
    const br = await compress(body, 'br');
    expect(gunzipSync(gz)).toEqual(body);
    expect(brotliDecompressSync(br)).toEqual(body);
    expect(gz.length).toBeLessThan(body.length / 4);
    expect(br.length).toBeLessThan(body.length / 4);
  });
});
