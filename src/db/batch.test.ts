import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Batcher } from './batch.ts';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('Batcher', () => {
  it('loads the keys asked for in one turn with one call, answering each its own value', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number, string>(async (keys) => {
      calls.push(keys);
      return keys.map((k) => `v${k}`);
    });
    const values = await Promise.all([1, 2, 3].map((k) => batcher.get(k)));
    expect(values).toEqual(['v1', 'v2', 'v3']);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('holds new keys while the calls in flight are at their limit, then sends them together', async () => {
    const gates: Array<ReturnType<typeof deferred<void>>> = [];
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (keys) => {
        calls.push(keys);
        const gate = deferred<void>();
        gates.push(gate);
        await gate.promise;
        return keys.map((k) => k * 10);
      },
      { maxInFlight: 1 },
    );
    const first = batcher.get(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((k) => batcher.get(k));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1]]);
    gates[0]?.resolve();
    expect(await first).toBe(10);
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(calls).toEqual([[1], [2, 3, 4]]);
    gates[1]?.resolve();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('splits a large turn into calls of at most maxBatch keys', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(
      async (keys) => {
        sizes.push(keys.length);
        return keys;
      },
      { maxBatch: 4, maxInFlight: 10 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.get(i)));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('rejects every key of a failed call and goes on with the next ones', async () => {
    let fail = true;
    const batcher = new Batcher<number, number>(async (keys) => {
      if (fail) throw new Error('database down');
      return keys;
    });
    const failed = await Promise.allSettled([batcher.get(1), batcher.get(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.get(3)).toBe(3);
  });

  it('rejects a batch whose load answered the wrong number of values', async () => {
    const batcher = new Batcher<number, number>(async () => [1]);
    await expect(Promise.all([batcher.get(1), batcher.get(2)])).rejects.toThrow(/different number/);
  });

  it('answers every key its own value whatever the timing of the calls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.boolean()), { maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 8 }),
        async (asks, maxInFlight, maxBatch) => {
          const batcher = new Batcher<number, number>(
            async (keys) => {
              await new Promise((r) => setImmediate(r));
              return keys.map((k) => k + 1);
            },
            { maxInFlight, maxBatch },
          );
          const answers: Array<Promise<number>> = [];
          for (const [key, yieldFirst] of asks) {
            if (yieldFirst) await new Promise((r) => setImmediate(r));
            answers.push(batcher.get(key));
          }
          expect(await Promise.all(answers)).toEqual(asks.map(([k]) => k + 1));
        },
      ),
      { numRuns: 50 },
    );
  });
});
