import { describe, expect, it } from 'vitest';
import { Random, Weighted } from './random.ts';

describe('Random', () => {
  it('is deterministic for the same keys and differs across keys', () => {
    const a = new Random(42, 7);
    const b = new Random(42, 7);
    const c = new Random(42, 8);
    const seq = (r: Random) => Array.from({ length: 5 }, () => r.next());
    expect(seq(a)).toEqual(seq(b));
    expect(seq(new Random(42, 7))).not.toEqual(seq(c));
  });

  it('stays in range', () => {
    const r = new Random(1);
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      expect(r.int(7)).toBeLessThan(7);
    }
  });
});

describe('Weighted', () => {
  it('draws in proportion to the weights', () => {
    const w = new Weighted([
      ['a', 1],
      ['b', 3],
      ['c', 0],
    ] as const);
    const r = new Random(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 40_000; i++) counts[w.draw(r)]++;
    expect(counts.c).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.7);
    expect(counts.b / counts.a).toBeLessThan(3.3);
  });
});
