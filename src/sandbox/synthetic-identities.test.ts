import { describe, expect, it } from 'vitest';
import { insKey, parseIns } from '../identity/ins.ts';
import { parseTraits } from '../identity/traits.ts';
import { syntheticIdentities, traitsOf } from './synthetic-identities.ts';

describe('synthetic identities', () => {
  it('are deterministic, unique, with valid traits and matricules', () => {
    const people = syntheticIdentities(3000, 7);
    expect(syntheticIdentities(3000, 7)).toEqual(people);
    expect(new Set(people.map((p) => p.matricule)).size).toBe(3000);
    for (const p of people) {
      expect(parseIns(p.matricule + insKey(p.matricule), p.oid).matricule).toBe(p.matricule);
      const t = parseTraits(traitsOf(p));
      expect(t.nomNaissance).toBe(p.nomNaissance);
    }
  });
});
