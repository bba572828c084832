import { describe, expect, it } from 'vitest';
import { afterFailure, afterSuccess, type FailureState, throttle } from './throttle.ts';

const fresh: FailureState = { consecutive: 0, recent: [], lastFailureAt: null, locked: false };
const fail = (s: FailureState, times: number, at: number, step = 0) => {
  let state = s;
  for (let i = 0; i < times; i++) state = afterFailure(state, at + i * step);
  return state;
};
const minute = 60_000;

describe('password throttling', () => {
  it('lets four failures through, then backs off one minute, doubling', () => {
    const four = fail(fresh, 4, 0);
    expect(throttle(four, 1)).toEqual({ allowed: true });
    const five = afterFailure(four, 1000);
    expect(throttle(five, 1000 + minute - 1)).toMatchObject({ allowed: false, retryAt: 1000 + minute });
    expect(throttle(five, 1000 + minute)).toEqual({ allowed: true });
    const six = afterFailure(five, 1000 + minute);
    expect(throttle(six, 1000 + 2 * minute)).toMatchObject({ allowed: false, retryAt: 1000 + 3 * minute });
  });

  it('locks after ten consecutive failures until an administrator unlocks', () => {
    const ten = fail(fresh, 10, 0, 10 * minute);
    expect(ten.locked).toBe(true);
    expect(throttle(ten, 10 ** 12)).toMatchObject({ allowed: false, retryAt: null });
  });

  it('allows at most 25 failures in 24 hours, even with successes between', () => {
    let s = fresh;
    for (let i = 0; i < 25; i++) {
      s = afterFailure(s, i * minute);
      if (i % 4 === 3) s = afterSuccess(s);
    }
    expect(throttle(s, 30 * minute)).toMatchObject({ allowed: false, retryAt: 86_400_000 });
    expect(throttle(s, 86_400_000 + 1)).toEqual({ allowed: true });
  });
});
