/**
 * Traits stricts of an usager, as INSi returns them and as the RNIV asks to record them: upper case without
 * diacritics; hyphen, apostrophe and space as the only separators; the list of birth given names separated by
 * spaces, whose first element is the first given name (a composed name such as PIERRE-ALAIN stays whole).
 * Sources: `shared/research/ins-dmp-mss-igc.md` §1.4.
 */
export type Sexe = 'M' | 'F';

export interface TraitsStricts {
  nomNaissance: string;
  prenomsNaissance: string[];
  premierPrenom: string;
  sexe: Sexe;
  /** AAAA-MM-JJ. */
  dateNaissance: string;
  /** Code officiel géographique: a commune (63220, 2A020, 97411) or `99` + the country code (99134). */
  lieuNaissance: string;
}

export interface TraitsInput {
  nomNaissance?: unknown;
  prenomsNaissance?: unknown;
  sexe?: unknown;
  dateNaissance?: unknown;
  lieuNaissance?: unknown;
}

export interface FieldError {
  field: keyof TraitsInput;
  message: string;
}

export class TraitsError extends Error {
  override name = 'TraitsError';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field} : ${e.message}`).join(' ; '));
  }
}

export const maxNameLength = 100;
const valid = /^[A-Z]+(?:(?:--?|[' ])[A-Z]+)*$/;
const ligatures: Record<string, string> = { Œ: 'OE', œ: 'OE', Æ: 'AE', æ: 'AE', ß: 'SS' };

/**
 * One name in the RNIV form: upper case, accents and ligatures resolved (É → E, Œ → OE), typographic apostrophes
 * and dashes made plain, separators collapsed and trimmed. Characters outside Latin letters stay, so that the
 * validation names them rather than dropping them silently.
 */
export function normalizeName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[ŒœÆæß]/g, (c) => ligatures[c] ?? c)
    .replace(/[’‘`´ʼ]/g, "'")
    .replace(/[‐‑‒–—]/g, '-')
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*([-'])\s*/g, '$1')
    .replace(/-{3,}/g, '--')
    .trim();
}

function checkName(value: string, label: string): string | null {
  if (value === '') return `${label} est obligatoire.`;
  if (value.length > maxNameLength) return `${label} dépasse ${maxNameLength} caractères.`;
  if (!valid.test(value)) {
    const bad = [...new Set(value.replace(/[A-Z' -]/g, ''))].join(' ');
    if (bad) return `${label} contient des caractères non admis : ${bad}.`;
    return `${label} doit commencer et finir par une lettre, avec pour séparateurs un trait d’union, une apostrophe ou une espace.`;
  }
  return null;
}

const cog = /^(?:\d{5}|2[AB]\d{3})$/;

function checkDate(value: string, today: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return 'la date de naissance doit être au format AAAA-MM-JJ.';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return `la date de naissance ${value} n’existe pas.`;
  if (y < 1870) return 'la date de naissance est antérieure à 1870.';
  if (value > today) return 'la date de naissance est dans le futur.';
  return null;
}

/**
 * Parses traits stricts typed by an admission agent or read from a document: normalises, then checks every field
 * and reports all problems at once, each with its field and a French message.
 */
export function parseTraits(
  input: TraitsInput,
  today = new Date().toISOString().slice(0, 10),
): TraitsStricts {
  const errors: FieldError[] = [];
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const nomNaissance = normalizeName(text(input.nomNaissance));
  const nomProblem = checkName(nomNaissance, 'Le nom de naissance');
  if (nomProblem) errors.push({ field: 'nomNaissance', message: nomProblem });

  const rawPrenoms = Array.isArray(input.prenomsNaissance)
    ? input.prenomsNaissance.map(text).join(' ')
    : text(input.prenomsNaissance);
  const prenoms = normalizeName(rawPrenoms);
  const prenomsNaissance = prenoms === '' ? [] : prenoms.split(' ');
  if (prenomsNaissance.length === 0)
    errors.push({ field: 'prenomsNaissance', message: 'Au moins un prénom de naissance est obligatoire.' });
  else {
    const problem = checkName(prenoms, 'La liste des prénoms de naissance');
    if (problem) errors.push({ field: 'prenomsNaissance', message: problem });
  }

  const sexe = text(input.sexe).trim().toUpperCase();
  if (sexe !== 'M' && sexe !== 'F')
    errors.push({ field: 'sexe', message: 'Le sexe doit être M ou F (sexe de l’état civil).' });

  const dateNaissance = text(input.dateNaissance).trim();
  const dateProblem = checkDate(dateNaissance, today);
  if (dateProblem)
    errors.push({ field: 'dateNaissance', message: dateProblem.replace(/^./, (c) => c.toUpperCase()) });

  const lieuNaissance = text(input.lieuNaissance).trim().toUpperCase();
  if (!cog.test(lieuNaissance))
    errors.push({
      field: 'lieuNaissance',
      message:
        'Le lieu de naissance doit être un code officiel géographique de 5 caractères (commune, dont 2A/2B, ou 99 suivi du code du pays, par exemple 99134).',
    });

  if (errors.length > 0) throw new TraitsError(errors);
  return {
    nomNaissance,
    prenomsNaissance,
    premierPrenom: prenomsNaissance[0] as string,
    sexe: sexe as Sexe,
    dateNaissance,
    lieuNaissance,
  };
}

export type TraitName = keyof Omit<TraitsStricts, 'premierPrenom'>;

export interface TraitDifference {
  trait: TraitName;
  local: string;
  insi: string;
}

/** The traits that differ once both sides are normalised: shown to the agent, never overwritten silently. */
export function compareTraits(local: TraitsStricts, insi: TraitsStricts): TraitDifference[] {
  const differences: TraitDifference[] = [];
  const pairs: Array<[TraitName, string, string]> = [
    ['nomNaissance', local.nomNaissance, insi.nomNaissance],
    ['prenomsNaissance', local.prenomsNaissance.join(' '), insi.prenomsNaissance.join(' ')],
    ['sexe', local.sexe, insi.sexe],
    ['dateNaissance', local.dateNaissance, insi.dateNaissance],
    ['lieuNaissance', local.lieuNaissance, insi.lieuNaissance],
  ];
  for (const [trait, a, b] of pairs) if (a !== b) differences.push({ trait, local: a, insi: b });
  return differences;
}
