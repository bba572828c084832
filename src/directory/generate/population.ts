import { fromWgs84 } from '../geo.ts';
import { luhnKey } from '../identifiers.ts';
import { Random, Weighted } from './random.ts';
import {
  categories,
  departements,
  firstNames,
  lastNames,
  modes,
  overseasCentres,
  type Profession,
  professions,
  sectors,
  specialities,
  streetNames,
  streetTypes,
  structureCategories,
} from './referentials.ts';

/**
 * The synthetic population, as pure functions of (seed, index, day): any day of any person or structure can be
 * computed on its own, so files of any size stream out in constant memory and successive days differ only by
 * the events drawn for them (arrivals, departures, moves, new mailboxes, closed structures).
 */
export interface Profile {
  persons: number;
  structures: number;
  /** Daily probabilities. */
  departure: number;
  arrival: number;
  move: number;
  closure: number;
}

export const profiles: Record<'small' | 'national', Profile> = {
  small: { persons: 3_000, structures: 200, departure: 0.002, arrival: 0.002, move: 0.003, closure: 0.005 },
  national: {
    persons: 1_550_000,
    structures: 100_000,
    departure: 0.0004,
    arrival: 0.0004,
    move: 0.0005,
    closure: 0.0002,
  },
};

const professionDraw = new Weighted(professions.map((p) => [p, p.thousands] as const));
const categoryDraw = new Weighted(categories.map(([c, l, w]) => [[c, l] as const, w] as const));
const modeDraw = new Weighted(modes.map(([c, l, w]) => [[c, l] as const, w] as const));
const specialityDraw = new Weighted(specialities.map(([c, l, w]) => [[c, l] as const, w] as const));
const structureCategoryDraw = new Weighted(structureCategories.map((c) => [c, c[3]] as const));
const departementDraw = new Weighted(departements.map((d) => [d, d[2]] as const));

const townRoots = [
  'AUBIN',
  'MARTIN',
  'GERMAIN',
  'CLAIR',
  'VAL',
  'BOIS',
  'PONT',
  'MONT',
  'FONTAINE',
  'VILLENEUVE',
  'BEAUMONT',
  'CHAMPAGNE',
];
const townSuffixes = ['', '-SUR-LOIRE', '-LES-BAINS', '-EN-BRESSE', '-LE-VIEUX', '-DES-PRES', '-SUR-MER'];
const structureNames = [
  'LES TILLEULS',
  'LE VAL FLEURI',
  'SAINT-JOSEPH',
  'LES GLYCINES',
  'LA ROSERAIE',
  'DU PARC',
  'LES OLIVIERS',
  'LE BOIS JOLI',
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface Place {
  departement: string;
  departementLabel: string;
  communeCode: string;
  commune: string;
  postalCode: string;
  numero: string;
  typeVoie: readonly [string, string];
  voie: string;
}

export function place(random: Random, departement = departementDraw.draw(random)): Place {
  const [code, label] = departement;
  const n = random.int(90) + 1;
  const commune = `${random.chance(0.3) ? 'SAINT-' : ''}${random.pick(townRoots)}${random.pick(townSuffixes)}`;
  const overseas = code.length === 3;
  const postalBase = code === '2A' ? '200' : code === '2B' ? '202' : overseas ? code : `${code}0`;
  return {
    departement: code,
    departementLabel: label,
    communeCode: overseas ? `${code}${pad(n, 2)}` : `${code}${pad(n * 3, 3)}`,
    commune,
    postalCode: `${postalBase}${pad(n % (overseas ? 100 : 100), 5 - postalBase.length)}`,
    numero: String(random.int(120) + 1),
    typeVoie: random.pick(streetTypes),
    voie: random.pick(streetNames).toUpperCase(),
  };
}

export interface Structure {
  index: number;
  finess: string;
  finessEj: string;
  category: (typeof structureCategories)[number];
  name: string;
  place: Place;
  siret: string;
  telephone: string;
  opened: string;
  /** Date of the record's last update: stable from one day to the next unless the structure changes. */
  updated: string;
  coordinates: { x: number; y: number; crs: string };
}

/** FINESS numbers: département prefix (2A/2B for Corsica, 97/98 overseas) + 7 digits; EGs even, EJs odd. */
function finessNumber(departement: string, n: number): string {
  const prefix = departement.length === 3 ? (overseasCentres[departement]?.finess ?? '97') : departement;
  return `${prefix}${pad(n % 10_000_000, 7)}`;
}

export function structure(seed: number, index: number): Structure {
  const r = new Random(seed, 2, index);
  const category = structureCategoryDraw.draw(r);
  const p = place(r);
  // The EJ's seat is drawn from its own stream, so that the three sites of an EJ name the same FINESS juridique.
  const ejIndex = index - (index % 3);
  const ejPlace = place(new Random(seed, 8, ejIndex));
  const centre = overseasCentres[p.departement];
  const point = centre
    ? { lat: centre.lat + (r.next() - 0.5) * 0.2, lon: centre.lon + (r.next() - 0.5) * 0.2 }
    : { lat: 43.3 + r.next() * 6.5, lon: -1.2 + r.next() * 8 };
  const crs = centre?.crs ?? 'EPSG:2154';
  return {
    index,
    finess: finessNumber(p.departement, index * 2),
    finessEj: finessNumber(ejPlace.departement, ejIndex * 2 + 1),
    category,
    name: `${category[2]} ${r.pick(structureNames)}`,
    place: p,
    siret: `${pad(300000000 + index, 9)}${pad(r.int(99999), 5)}`,
    telephone: `0${r.int(5) + 1}${r.digits(8)}`,
    opened: `${1970 + r.int(50)}-${pad(r.int(12) + 1, 2)}-${pad(r.int(28) + 1, 2)}`,
    updated: `${2020 + r.int(6)}-${pad(r.int(12) + 1, 2)}-${pad(r.int(28) + 1, 2)}`,
    coordinates: { ...fromWgs84(point, crs), crs },
  };
}

export function structureOpen(seed: number, profile: Profile, index: number, day: number): boolean {
  for (let d = 1; d <= day; d++) if (new Random(seed, 3, index, d).chance(profile.closure)) return false;
  return true;
}

export interface Activity {
  mode: readonly [string, string];
  structure: Structure | null;
  cabinet: { id: string; name: string; place: Place } | null;
  speciality: readonly [string, string] | null;
}

export interface Person {
  index: number;
  profession: Profession;
  category: readonly [string, string];
  idType: '8' | '0';
  id: string;
  lastName: string;
  firstName: string;
  sex: 'F' | 'M';
  activities: Activity[];
  specialities: Array<readonly [string, string]>;
  diplomas: number;
  mailbox: string | null;
  mailboxDay: number;
}

/** Persons 0…persons-1 exist from day 0; arrivals of day d take the following indices. */
export function arrivalsBefore(profile: Profile, day: number): number {
  return Math.round(profile.persons * profile.arrival) * day;
}

export function personAlive(seed: number, profile: Profile, index: number, day: number): boolean {
  const perDay = Math.round(profile.persons * profile.arrival);
  if (index >= profile.persons) {
    const arrivalDay = 1 + Math.floor((index - profile.persons) / Math.max(perDay, 1));
    if (arrivalDay > day) return false;
  }
  for (let d = 1; d <= day; d++) if (new Random(seed, 4, index, d).chance(profile.departure)) return false;
  return true;
}

const ascii = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[’' ]/g, '-')
    .toLowerCase();

export function person(seed: number, profile: Profile, index: number, day: number): Person {
  const r = new Random(seed, 1, index);
  const profession = professionDraw.draw(r);
  const adeli = profession.authority === 'ARS' && r.chance(0.08);
  const [firstName, sex] = r.pick(firstNames);
  const lastName = r.pick(lastNames);
  const home = departementDraw.draw(r);
  const extra = profession.activities - 1;
  const count = 1 + (r.chance(Math.min(extra, 1)) ? 1 : 0) + (extra > 1 && r.chance(extra - 1) ? 1 : 0);
  const activities: Activity[] = [];
  for (let a = 0; a < count; a++) {
    let epoch = 0;
    for (let d = 1; d <= day; d++) if (new Random(seed, 5, index, a, d).chance(profile.move)) epoch++;
    const ar = new Random(seed, 6, index, a, epoch);
    const mode = modeDraw.draw(ar);
    const isMedical = profession.code === '10';
    const speciality = isMedical ? specialityDraw.draw(ar) : null;
    if (mode[0] === 'L') {
      const cabinetPlace = place(ar, home);
      activities.push({
        mode,
        structure: null,
        cabinet: { id: `R${pad(index * 4 + a, 10)}`, name: `CABINET ${lastName}`, place: cabinetPlace },
        speciality,
      });
    } else {
      // One activity per structure and person: a second one at the same place would repeat the same key.
      let site = ar.int(profile.structures);
      while (activities.some((x) => x.structure?.index === site)) site = (site + 1) % profile.structures;
      activities.push({ mode, structure: structure(seed, site), cabinet: null, speciality });
    }
  }
  const specialitiesHeld: Array<readonly [string, string]> = [];
  if (profession.code === '10') {
    const main = specialityDraw.draw(r);
    specialitiesHeld.push(main);
    const second = specialityDraw.draw(r);
    if (r.chance(0.3) && second[0] !== main[0]) specialitiesHeld.push(second);
  } else if (r.chance(0.1)) specialitiesHeld.push(['CEX', 'Compétence exclusive']);
  const hasMailbox = r.chance(0.29);
  let mailboxDay = 0;
  // A few mailboxes are opened during the generated days rather than before them.
  if (hasMailbox && r.chance(0.03)) {
    mailboxDay = Number.POSITIVE_INFINITY;
    for (let d = 1; d <= day; d++)
      if (new Random(seed, 7, index, d).chance(0.2)) {
        mailboxDay = d;
        break;
      }
  }
  return {
    index,
    profession,
    category: categoryDraw.draw(r),
    idType: adeli ? '0' : '8',
    id: adeli
      ? `${home[0].slice(0, 2)}${pad(index % 10_000_000, 7)}`
      : `10${pad(index, 8)}${luhnKey(`10${pad(index, 8)}`)}`,
    lastName,
    firstName,
    sex,
    activities,
    specialities: specialitiesHeld,
    diplomas: r.chance(0.35) ? 2 : 1,
    mailbox: hasMailbox
      ? `${ascii(firstName)}.${ascii(lastName)}.${index}@${profession.mailboxDomain}.mssante.test`
      : null,
    mailboxDay,
  };
}

export function sectorLabel(code: string | null): string | null {
  return code ? (sectors[code] ?? null) : null;
}
