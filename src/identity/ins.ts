/**
 * The matricule INS: a NIR or a NIA of 13 characters and its 2-digit key (`97 − N mod 97`, Corsica's 2A/2B
 * read as 19/18), told apart only by the OID of its assigning authority. Sources:
 * `shared/research/ins-dmp-mss-igc.md` §1.1–1.3.
 */
export const insOids = {
  NIR: '1.2.250.1.213.1.4.8',
  NIA: '1.2.250.1.213.1.4.9',
  TEST: '1.2.250.1.213.1.4.10',
  DEMO: '1.2.250.1.213.1.4.11',
} as const;
export type InsKind = keyof typeof insOids;

/** FR Core `identifier.type` codes (`fr-core-cs-v2-0203`) of each kind. */
export const insTypeCodes: Record<InsKind, string> = {
  NIR: 'INS-NIR',
  NIA: 'INS-NIA',
  TEST: 'INS-NIR-TEST',
  DEMO: 'INS-NIR-DEMO',
};

export interface Ins {
  /** The 13 characters of the identifier. */
  matricule: string;
  key: string;
  kind: InsKind;
  oid: string;
}

export class InsError extends Error {
  override name = 'InsError';
}

// Sex (1, 2; 3 and 4 for some provisional registrations), year, month (01–12, but also 20–42
// and 50+ in real RNIPP data), département (2A/2B for Corsica), commune, order number.
const shape = /^[1-4]\d{4}(?:\d{2}|2[AB])\d{6}$/;

/** The key of the 13 characters of a matricule, as two digits. */
export function insKey(matricule: string): string {
  const digits = matricule
    .toUpperCase()
    .replace(/^(.{5})2A/, '$119')
    .replace(/^(.{5})2B/, '$118');
  if (!/^\d{13}$/.test(digits)) throw new InsError(`Matricule INS invalide : « ${matricule} ».`);
  // 13 digits exceed 2^53 only slightly: the modulo is taken in two exact steps.
  const n = (Number(digits.slice(0, 7)) % 97) * 1_000_000 + Number(digits.slice(7));
  return String(97 - (n % 97)).padStart(2, '0');
}

const kindByOid = new Map<string, InsKind>(Object.entries(insOids).map(([k, v]) => [v, k as InsKind]));

/**
 * Reads a matricule INS (15 characters, or 13 and the key apart) with the OID of its authority; refuses, with
 * the reason in French, a wrong shape, a wrong key or an OID that is not one of the INS's.
 */
export function parseIns(value: string, oid: string, key?: string): Ins {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  const matricule = key === undefined ? compact.slice(0, 13) : compact;
  const givenKey = key === undefined ? compact.slice(13) : key.trim();
  const kind = kindByOid.get(oid.replace(/^urn:oid:/, ''));
  if (!kind)
    throw new InsError(
      `OID « ${oid} » inconnu : attendu ${Object.entries(insOids)
        .map(([k, v]) => `${v} (${k})`)
        .join(', ')}.`,
    );
  if (matricule.length !== 13 || !shape.test(matricule))
    throw new InsError(
      `Matricule INS « ${value} » mal formé : 13 caractères attendus (sexe, année, mois, département dont 2A/2B, commune, rang).`,
    );
  if (!/^\d{2}$/.test(givenKey))
    throw new InsError(`Clé INS « ${givenKey} » mal formée : 2 chiffres attendus.`);
  const expected = insKey(matricule);
  if (givenKey !== expected)
    throw new InsError(
      `Clé INS ${givenKey} incorrecte pour le matricule ${matricule} (clé attendue ${expected}).`,
    );
  return { matricule, key: givenKey, kind, oid: insOids[kind] };
}

/** `1 85 05 2A 012 345 67`: the matricule as it is printed for people. */
export function formatIns(ins: Pick<Ins, 'matricule' | 'key'>): string {
  const m = ins.matricule;
  return `${m[0]} ${m.slice(1, 3)} ${m.slice(3, 5)} ${m.slice(5, 7)} ${m.slice(7, 10)} ${m.slice(10, 13)} ${ins.key}`;
}
