/**
 * Throttling of the password path (RIE v1 EXI 25): after 5 consecutive failures an exponential back-off (one
 * minute, doubling), at most 25 failures in 24 hours, and a lock after 10 consecutive failures, which only an
 * administrator lifts.
 */
export interface FailureState {
  consecutive: number;
  /** Instants (ms) of the failures of the last 24 hours. */
  recent: number[];
  lastFailureAt: number | null;
  locked: boolean;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; reason: string; retryAt: number | null };

const day = 86_400_000;
export const limits = { backOffAfter: 5, perDay: 25, lockAfter: 10, firstDelayMs: 60_000 } as const;

export function throttle(s: FailureState, now: number): ThrottleDecision {
  if (s.locked || s.consecutive >= limits.lockAfter)
    return {
      allowed: false,
      reason: 'Compte verrouillé après dix échecs consécutifs : un administrateur doit le déverrouiller.',
      retryAt: null,
    };
  const recent = s.recent.filter((t) => t > now - day);
  if (recent.length >= limits.perDay) {
    const retryAt = Math.min(...recent) + day;
    return {
      allowed: false,
      reason: 'Vingt-cinq échecs en vingt-quatre heures : nouvel essai possible plus tard.',
      retryAt,
    };
  }
  if (s.consecutive >= limits.backOffAfter && s.lastFailureAt !== null) {
    const retryAt = s.lastFailureAt + limits.firstDelayMs * 2 ** (s.consecutive - limits.backOffAfter);
    if (now < retryAt)
      return {
        allowed: false,
        reason: 'Trop d’échecs successifs : patientez avant un nouvel essai.',
        retryAt,
      };
  }
  return { allowed: true };
}

export function afterFailure(s: FailureState, now: number): FailureState {
  const consecutive = s.consecutive + 1;
  return {
    consecutive,
    recent: [...s.recent.filter((t) => t > now - day), now],
    lastFailureAt: now,
    locked: s.locked || consecutive >= limits.lockAfter,
  };
}

export const afterSuccess = (s: FailureState): FailureState => ({
  ...s,
  consecutive: 0,
  lastFailureAt: null,
});
