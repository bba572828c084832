import { describe, expect, it } from 'vitest';
import { Mutex } from './mutex.ts';

describe('Mutex', () => {
  it('serves waiters one at a time, in arrival order', async () => {
    const mutex = new Mutex();
    const trace: string[] = [];
    const task = (name: string) =>
      mutex.run(async () => {
        trace.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 5));
        trace.push(`${name}-`);
      });
    await Promise.all([task('a'), task('b'), task('c')]);
    expect(trace).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('releases the lock when the task fails', async () => {
    const mutex = new Mutex();
    await expect(mutex.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run(async () => 42)).resolves.toBe(42);
  });
});
