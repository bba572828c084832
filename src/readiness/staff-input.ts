import { isAdeli, isRpps } from '../directory/identifiers.ts';
import { readCsv } from './csv.ts';

/** Cards a member of staff may hold: only these four give access to the services socles. */
export const staffCards = ['CPE', 'CPS', 'CPA', 'e-CPS', 'aucune'] as const;
export type StaffCard = (typeof staffCards)[number];

/** One member of staff as the registry keeps it (dates ISO, mobile in international form, idNat_PS). */
export interface StaffInput {
  matricule: string;
  nom: string;
  prenom: string;
  fonction: string;
  finessEg: string;
  startDate: string;
  endDate: string | null;
  email: string | null;
  mobile: string | null;
  idNat: string | null;
  card: StaffCard;
  eCpsActive: boolean;
  cardAgent: boolean;
}

export interface StaffError {
  line: number;
  message: string;
}

/** Column names a file may use for each field; headers are compared without accents, case or separators. */
const columns = {
  matricule: ['matricule', 'numero salarie', 'n salarie'],
  nom: ['nom', 'nom d exercice', 'nom usuel'],
  prenom: ['prenom', 'prenom d exercice', 'prenom usuel'],
  fonction: ['fonction', 'emploi', 'metier'],
  finessEg: ['finess', 'finess eg', 'finess etablissement', 'etablissement'],
  startDate: ['date entree', 'date d entree', 'date de prise de fonction', 'debut'],
  endDate: ['date sortie', 'date de sortie', 'date de fin de fonction', 'fin'],
  email: ['email', 'e mail', 'courriel', 'adresse electronique'],
  mobile: ['mobile', 'telephone mobile', 'portable'],
  idNat: ['rpps', 'adeli', 'rpps adeli', 'rpps ou adeli', 'identifiant national'],
  card: ['carte', 'carte detenue'],
  eCpsActive: ['e cps', 'e cps activee', 'ecps'],
  cardAgent: ['agent carte', 'qualifie ins', 'qualifie les identites'],
} as const;
type Field = keyof typeof columns;
const required: Field[] = ['matricule', 'nom', 'prenom', 'fonction', 'finessEg', 'startDate'];

const normaliseHeader = (h: string) =>
  h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** `JJ/MM/AAAA` or `AAAA-MM-JJ`, a real calendar date; ISO back, or null. */
export function parseFrenchDate(value: string): string | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const [y, mo, d] = value.includes('/') ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const iso = `${y}-${mo}-${d}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso ? iso : null;
}

/** A French mobile number (06, 07, or +33 6/7), written with spaces, dots or dashes; `+33…` back. */
export function parseMobile(value: string): string | null {
  const digits = value.replace(/[\s.-]/g, '');
  const m = /^(?:0|\+33|0033)([67]\d{8})$/.exec(digits);
  return m ? `+33${m[1]}` : null;
}

const emailPattern = /^[^\s@"<>]{1,64}@[A-Za-z0-9.-]{1,250}\.[A-Za-z]{2,}$/;

function parseBoolean(value: string): boolean | null {
  const v = normaliseHeader(value);
  if (['', 'non', 'n', '0', 'false', 'faux'].includes(v)) return false;
  if (['oui', 'o', '1', 'true', 'vrai', 'x'].includes(v)) return true;
  return null;
}

/** RPPS (11 digits, Luhn key), ADELI (9 characters) or an idNat_PS already prefixed (8 + RPPS, 0 + ADELI). */
export function parseIdNat(value: string): string | null {
  const v = value.replace(/\s/g, '');
  if (isRpps(v)) return `8${v}`;
  if (v.length === 12 && v.startsWith('8') && isRpps(v.slice(1))) return v;
  if (isAdeli(v)) return `0${v}`;
  if (v.length === 10 && v.startsWith('0') && isAdeli(v.slice(1))) return v;
  return null;
}

/**
 * Checks one member of staff, whatever the source (a file line or the console form): every wrong field is named
 * at once, in French.
 */
export function validateStaff(
  raw: Partial<Record<Field, string>>,
  establishments: ReadonlySet<string>,
): { value: StaffInput } | { errors: string[] } {
  const errors: string[] = [];
  const text = (f: Field, label: string, max: number) => {
    const v = (raw[f] ?? '').trim();
    if (!v) errors.push(`${label} manquant`);
    else if (v.length > max) errors.push(`${label} trop long (${max} caractères au plus)`);
    return v;
  };
  const matricule = text('matricule', 'matricule', 50);
  const nom = text('nom', 'nom', 100);
  const prenom = text('prenom', 'prénom', 100);
  const fonction = text('fonction', 'fonction', 100);
  const finessEg = (raw.finessEg ?? '').trim();
  if (!finessEg) errors.push('FINESS de l’établissement manquant');
  else if (!establishments.has(finessEg))
    errors.push(`FINESS ${finessEg} inconnu : ce n’est pas un établissement de l’organisme`);
  const startRaw = (raw.startDate ?? '').trim();
  const startDate = parseFrenchDate(startRaw);
  if (!startRaw) errors.push('date d’entrée manquante');
  else if (!startDate) errors.push(`date d’entrée « ${startRaw} » invalide (JJ/MM/AAAA attendu)`);
  const endRaw = (raw.endDate ?? '').trim();
  const endDate = endRaw ? parseFrenchDate(endRaw) : null;
  if (endRaw && !endDate) errors.push(`date de sortie « ${endRaw} » invalide (JJ/MM/AAAA attendu)`);
  if (startDate && endDate && endDate < startDate)
    errors.push('date de sortie antérieure à la date d’entrée');
  const emailRaw = (raw.email ?? '').trim();
  if (emailRaw && !emailPattern.test(emailRaw)) errors.push(`adresse électronique « ${emailRaw} » invalide`);
  const mobileRaw = (raw.mobile ?? '').trim();
  const mobile = mobileRaw ? parseMobile(mobileRaw) : null;
  if (mobileRaw && !mobile) errors.push(`mobile « ${mobileRaw} » invalide (06 ou 07 attendu)`);
  const idRaw = (raw.idNat ?? '').trim();
  const idNat = idRaw ? parseIdNat(idRaw) : null;
  if (idRaw && !idNat)
    errors.push(
      `numéro RPPS ou ADELI « ${idRaw} » invalide (RPPS : 11 chiffres et clé ; ADELI : 9 caractères)`,
    );
  const cardRaw = (raw.card ?? '').trim();
  const card = cardRaw === '' ? 'aucune' : staffCards.find((c) => c.toLowerCase() === cardRaw.toLowerCase());
  if (!card) errors.push(`carte « ${cardRaw} » inconnue (${staffCards.join(', ')})`);
  const eCpsActive = parseBoolean(raw.eCpsActive ?? '');
  if (eCpsActive === null) errors.push(`e-CPS activée « ${raw.eCpsActive} » : oui ou non attendu`);
  const cardAgent = parseBoolean(raw.cardAgent ?? '');
  if (cardAgent === null) errors.push(`agent carte « ${raw.cardAgent} » : oui ou non attendu`);
  if (errors.length > 0 || !startDate || !card) return { errors };
  return {
    value: {
      matricule,
      nom,
      prenom,
      fonction,
      finessEg,
      startDate,
      endDate,
      email: emailRaw || null,
      mobile,
      idNat,
      card,
      eCpsActive: eCpsActive === true || card === 'e-CPS',
      cardAgent: cardAgent === true,
    },
  };
}

/**
 * The staff file of the employer: one line per person, columns found by their header. A file with any wrong line
 * is reported whole (every line, every field) and nothing of it is saved.
 */
export function parseStaffCsv(
  text: string,
  establishments: ReadonlySet<string>,
): { staff: StaffInput[]; errors: StaffError[] } {
  const [header, ...records] = readCsv(text);
  if (!header) return { staff: [], errors: [{ line: 1, message: 'fichier vide' }] };
  const index = new Map<Field, number>();
  header.cells.forEach((cell, i) => {
    const name = normaliseHeader(cell);
    for (const [field, names] of Object.entries(columns) as Array<[Field, readonly string[]]>)
      if (names.includes(name) && !index.has(field)) index.set(field, i);
  });
  const missing = required.filter((f) => !index.has(f));
  if (missing.length > 0)
    return {
      staff: [],
      errors: [
        {
          line: 1,
          message: `colonne(s) absente(s) : ${missing.map((f) => columns[f][0]).join(', ')} (en-tête lu : ${header.cells.join(' | ')})`,
        },
      ],
    };
  const staff: StaffInput[] = [];
  const errors: StaffError[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    const raw: Partial<Record<Field, string>> = {};
    for (const [field, i] of index) raw[field] = record.cells[i] ?? '';
    const result = validateStaff(raw, establishments);
    if ('errors' in result) {
      for (const message of result.errors) errors.push({ line: record.line, message });
      continue;
    }
    const first = seen.get(result.value.matricule);
    if (first !== undefined) {
      errors.push({
        line: record.line,
        message: `matricule ${result.value.matricule} déjà présent ligne ${first}`,
      });
      continue;
    }
    seen.set(result.value.matricule, record.line);
    staff.push(result.value);
  }
  if (records.length === 0) errors.push({ line: 2, message: 'aucune ligne de personnel après l’en-tête' });
  return { staff, errors };
}
