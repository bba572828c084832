import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FingerprintSet, fileSeed, fingerprint, fromBigint, toBigint } from './fingerprints.ts';

function pack(fingerprints: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const bytes = new Uint8Array(fingerprints.length * 8);
  const view = new DataView(bytes.buffer);
  fingerprints.forEach(([hi, lo], i) => {
    view.setUint32(i * 8, hi);
    view.setUint32(i * 8 + 4, lo);
  });
  return bytes;
}

describe('fingerprint', () => {
  it('depends on the header through the seed', () => {
    const line = '0|810000000000|Dupont|';
    expect(fingerprint(fileSeed('a|b|c|'), line)).toEqual(fingerprint(fileSeed('a|b|c|'), line));
    expect(fingerprint(fileSeed('a|b|c|'), line)).not.toEqual(fingerprint(fileSeed('a|c|b|'), line));
  });

  it('tells apart lines that differ by one character', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(fingerprint(7, `810${i}|Martin|`).join(':'));
    expect(seen.size).toBe(100_000);
  });

  it('reads back as the same bigint PostgreSQL stores', () => {
    expect(toBigint(0, 1)).toBe('1');
    expect(toBigint(0xffffffff, 0xffffffff)).toBe('-1');
    expect(toBigint(0x80000000, 0)).toBe('-9223372036854775808');
    const half = fc.nat({ max: 0xffffffff });
    fc.assert(
      fc.property(half, half, (hi, lo) => {
        expect(fromBigint(toBigint(hi, lo))).toEqual([hi, lo]);
      }),
    );
  });
});

describe('FingerprintSet', () => {
  it('meets each held fingerprint once, reports repeats and lists the rest', () => {
    const pair = fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }));
    fc.assert(
      fc.property(
        fc.uniqueArray(pair, { selector: ([a, b]) => `${a}:${b}` }),
        fc.array(pair),
        (held, read) => {
          const set = new FingerprintSet(pack(held));
          expect(set.size).toBe(held.length);
          const key = ([a, b]: readonly [number, number]) => `${a}:${b}`;
          const heldKeys = new Set(held.map(key));
          const first = new Map<string, number>();
          read.forEach((f, i) => {
            const line = i + 2;
            const met = set.meet(f[0], f[1], line);
            if (!heldKeys.has(key(f))) expect(met).toBe(-1);
            else expect(met).toBe(first.get(key(f)) ?? 0);
            if (heldKeys.has(key(f)) && !first.has(key(f))) first.set(key(f), line);
          });
          for (const f of held) expect(set.lineOf(f[0], f[1])).toBe(first.get(key(f)) ?? 0);
          const unmet = [...set.unmet()].map(key).sort();
          expect(unmet).toEqual(
            held
              .map(key)
              .filter((k) => !first.has(k))
              .sort(),
          );
        },
      ),
    );
  });
});
