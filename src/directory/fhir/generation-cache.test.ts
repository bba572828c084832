import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GenerationCache } from './generation-cache.ts';

describe('GenerationCache', () => {
  it('keeps the most recently used entries up to its capacity', () => {
    const cache = new GenerationCache<number>(2);
    cache.set(1, 'a', 1);
    cache.set(1, 'b', 2);
    expect(cache.get(1, 'a')).toBe(1);
    cache.set(1, 'c', 3);
    expect(cache.get(1, 'b')).toBeUndefined();
    expect(cache.get(1, 'a')).toBe(1);
    expect(cache.get(1, 'c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('weighs its entries: a heavy one evicts several, one heavier than the whole is not kept', () => {
    const cache = new GenerationCache<string>(10, (key, value) => key.length + value.length);
    cache.set(1, 'a', 'xxx');
    cache.set(1, 'b', 'xxx');
    expect(cache.weight).toBe(8);
    cache.set(1, 'c', 'xxxxxxx');
    expect([cache.get(1, 'a'), cache.get(1, 'b'), cache.get(1, 'c')]).toEqual([
      undefined,
      undefined,
      'xxxxxxx',
    ]);
    expect(cache.weight).toBe(8);
    cache.set(1, 'd', 'x'.repeat(10));
    expect(cache.get(1, 'd')).toBeUndefined();
    expect(cache.get(1, 'c')).toBe('xxxxxxx');
    cache.set(1, 'c', 'x');
    expect(cache.weight).toBe(2);
  });

  it('empties itself for a newer generation and ignores values of an older one', () => {
    const cache = new GenerationCache<string>(10);
    cache.set(3, 'x', 'three');
    expect(cache.get(4, 'x')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.weight).toBe(0);
    cache.set(3, 'x', 'late, from before the swap');
    expect(cache.get(4, 'x')).toBeUndefined();
    expect(cache.get(3, 'x')).toBeUndefined();
    cache.set(4, 'x', 'four');
    expect(cache.get(4, 'x')).toBe('four');
  });

  it('answers like a model weighted LRU map for any sequence of reads and writes', () => {
    const op = fc.record({
      write: fc.boolean(),
      generation: fc.integer({ min: 0, max: 3 }),
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      value: fc.integer({ min: 0, max: 6 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
        // A value weighs itself.
        const cache = new GenerationCache<number>(capacity, (_key, value) => value);
        let generation = -1;
        let model: Array<[string, number]> = [];
        const weight = () => model.reduce((sum, [, v]) => sum + v, 0);
        for (const o of ops) {
          if (o.generation > generation) {
            generation = o.generation;
            model = [];
          }
          const current = o.generation === generation;
          const at = model.findIndex(([k]) => k === o.key);
          const found = current && at >= 0 ? model.splice(at, 1)[0] : undefined;
          if (o.write) {
            cache.set(o.generation, o.key, o.value);
            if (current && o.value <= capacity) model.push([o.key, o.value]);
            while (weight() > capacity) model.shift();
          } else {
            expect(cache.get(o.generation, o.key)).toBe(found?.[1]);
            if (found) model.push(found);
          }
          expect(cache.size).toBe(model.length);
          expect(cache.weight).toBe(weight());
        }
      }),
    );
  });
});
