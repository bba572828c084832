import { Random } from '../directory/generate/random.ts';
import { departements, firstNames, lastNames } from '../directory/generate/referentials.ts';
import { insOids } from '../identity/ins.ts';
import { normalizeName, type TraitsInput } from '../identity/traits.ts';
import { type InsiIdentity, notFoundTriggers } from './insi.ts';

/**
 * Synthetic people for the INSi emulator and the benchmarks: plausible traits and matricules of the NIR shape
 * (sex, year and month of birth, département and commune of birth, an order number that makes each unique), with
 * valid keys. Deterministic for a seed; nobody real.
 */
export function syntheticIdentities(count: number, seed = 1): InsiIdentity[] {
  const people: InsiIdentity[] = [];
  const metropolitan = departements.filter(([code]) => /^(?:\d{2}|2[AB])$/.test(code));
  for (let i = 0; i < count; i++) {
    const r = new Random(seed, 0x1a51, i);
    const sexe = r.chance(0.5) ? 'F' : 'M';
    // Given names the CNDA platform answers with "not found" are left out: these people are meant to be found.
    const given = firstNames
      .filter(([, s]) => s === sexe)
      .map(([name]) => normalizeName(name as string))
      .filter((name) => !notFoundTriggers.has(name));
    const prenoms = [
      r.pick(given),
      ...(r.chance(0.6) ? [r.pick(given)] : []),
      ...(r.chance(0.2) ? [r.pick(given)] : []),
    ];
    const year = 1925 + r.int(98);
    const month = 1 + r.int(12);
    const day = 1 + r.int(28);
    const [dept] = r.pick(metropolitan);
    const commune = String(1 + r.int(300)).padStart(3, '0');
    const order = String(i % 1000).padStart(3, '0');
    // The index spreads over the order number and the commune so that no two people share a matricule.
    const communeUnique = String((Number(commune) + Math.floor(i / 1000)) % 1000).padStart(3, '0');
    const pad = (n: number) => String(n).padStart(2, '0');
    people.push({
      matricule: `${sexe === 'M' ? '1' : '2'}${pad(year % 100)}${pad(month)}${dept}${communeUnique}${order}`,
      oid: insOids.NIR,
      nomNaissance: normalizeName(r.pick(lastNames)),
      prenoms: [...new Set(prenoms)],
      sexe,
      dateNaissance: `${year}-${pad(month)}-${pad(day)}`,
      lieuNaissance: `${dept}${communeUnique}`,
    });
  }
  return people;
}

/** The traits an admission agent would type for one of these people. */
export function traitsOf(p: InsiIdentity): TraitsInput {
  return {
    nomNaissance: p.nomNaissance,
    prenomsNaissance: p.prenoms,
    sexe: p.sexe,
    dateNaissance: p.dateNaissance,
    lieuNaissance: p.lieuNaissance,
  };
}
