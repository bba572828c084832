import { describe, expect, it } from 'vitest';
import { type ServiceProfile, sensitivity } from './sensitive.ts';

const local: ServiceProfile = {
  processesHealthData: true,
  shared: false,
  integratesShared: false,
  externalAccess: false,
  newUsagersPerYear: 10_000,
  professionalsPerYear: 1_000,
};

describe('sensitive services (seed 003)', () => {
  it.each([
    [{}, false],
    [{ shared: true }, true],
    [{ integratesShared: true }, true],
    [{ externalAccess: true }, true],
    [{ newUsagersPerYear: 10_001 }, true],
    [{ professionalsPerYear: 1_001 }, true],
    [{ processesHealthData: false, shared: true }, false],
  ] as Array<[Partial<ServiceProfile>, boolean]>)('%j → sensitive: %s', (patch, expected) => {
    const s = sensitivity({ ...local, ...patch });
    expect(s.sensitive).toBe(expected);
    expect(s.reasons.length).toBeGreaterThan(0);
  });
});
