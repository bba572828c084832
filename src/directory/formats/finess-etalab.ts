import { crsOf, toWgs84 } from '../geo.ts';
import { isFiness } from '../identifiers.ts';
import { FormatError, type Line } from './lines.ts';
import type { Reject } from './table.ts';

/**
 * Legacy FINESS "etalab" extraction `etalab-cs1100507-stock-YYYYMMDD-hhmm.csv` (shared/research/annuaire.md §3.1):
 * `;`-separated, no header, a marker first line `finess;etalab;98;YYYY-MM-DD`, then `structureet` records
 * (32 fields, 31 before `numuai` existed) and `geolocalisation` records (6 fields).
 */
export const structureetFields = [
  'structureet',
  'nofinesset',
  'nofinessej',
  'rs',
  'rslongue',
  'complrs',
  'compldistrib',
  'numvoie',
  'typvoie',
  'voie',
  'compvoie',
  'lieuditbp',
  'commune',
  'departement',
  'libdepartement',
  'ligneacheminement',
  'telephone',
  'telecopie',
  'categetab',
  'libcategetab',
  'categagretab',
  'libcategagretab',
  'siret',
  'codeape',
  'codemft',
  'libmft',
  'codesph',
  'libsph',
  'dateouv',
  'dateautor',
  'datemaj',
  'numuai',
] as const;

export const fileName = /^etalab[-_]cs1100507[-_]stock[-_](\d{8})[-_](\d{4})\.csv$/;

/** Columns of the staged structure, in order. */
export const structureColumns = [
  'finess',
  'finess_ej',
  'raison_sociale',
  'raison_sociale_longue',
  'complement_rs',
  'complement_distribution',
  'numero_voie',
  'type_voie',
  'voie',
  'complement_voie',
  'lieu_dit',
  'commune',
  'departement',
  'departement_label',
  'ligne_acheminement',
  'code_postal',
  'telephone',
  'telecopie',
  'categorie_code',
  'categorie',
  'categorie_agregee_code',
  'categorie_agregee',
  'siret',
  'ape',
  'mft_code',
  'mft',
  'sph_code',
  'sph',
  'date_ouverture',
  'date_autorisation',
  'date_maj',
  'uai',
] as const;

export const geoColumns = ['finess', 'lat', 'lon', 'coord_source'] as const;

export type FinessRecord =
  | { kind: 'structure'; line: number; values: Array<string | null> }
  | { kind: 'geo'; line: number; values: [string, number | null, number | null, string | null] };

const marker = /^finess;etalab;\d+;(\d{4}-\d{2}-\d{2})$/;
export const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** The records of an etalab FINESS file (cs1100505, cs1100507): its marker line checked, empty lines skipped. */
export async function* etalabRecords(
  file: string,
  lines: AsyncIterable<Line>,
): AsyncGenerator<{ number: number; fields: string[] }> {
  let first = true;
  for await (const { number, text } of lines) {
    if (first) {
      first = false;
      if (!marker.test(text))
        throw new FormatError(file, number, 'première ligne « finess;etalab;NN;AAAA-MM-JJ » attendue');
      continue;
    }
    if (text.length > 0) yield { number, fields: text.split(';') };
  }
  if (first) throw new FormatError(file, 1, 'fichier vide');
}

export async function* readFinessEtalab(
  file: string,
  lines: AsyncIterable<Line>,
  reject: (r: Reject) => void,
): AsyncGenerator<FinessRecord> {
  for await (const { number, fields: f } of etalabRecords(file, lines)) {
    const bad = (reason: string) => reject({ file, line: number, reason });
    if (f[0] === 'structureet') {
      if (f.length !== 32 && f.length !== 31) {
        bad(`${f.length} champs au lieu de 32 pour structureet`);
        continue;
      }
      const v = (i: number) => (f[i] === undefined || f[i] === '' ? null : (f[i] as string));
      const finess = f[1] ?? '';
      if (!isFiness(finess)) {
        bad(`FINESS établissement invalide « ${finess} »`);
        continue;
      }
      const ej = v(2);
      if (ej !== null && !isFiness(ej)) {
        bad(`FINESS juridique invalide « ${ej} »`);
        continue;
      }
      const siret = v(22);
      if (siret !== null && !/^\d{14}$/.test(siret)) {
        bad(`SIRET invalide « ${siret} »`);
        continue;
      }
      const dates = [v(28), v(29), v(30)];
      if (dates.some((d) => d !== null && !isoDate.test(d))) {
        bad('date au format AAAA-MM-JJ attendue (dateouv, dateautor, datemaj)');
        continue;
      }
      const acheminement = v(15);
      yield {
        kind: 'structure',
        line: number,
        values: [
          finess,
          ej,
          v(3),
          v(4),
          v(5),
          v(6),
          v(7),
          v(8),
          v(9),
          v(10),
          v(11),
          v(12),
          v(13),
          v(14),
          acheminement,
          /^(\d{5})\b/.exec(acheminement ?? '')?.[1] ?? null,
          v(16),
          v(17),
          v(18),
          v(19),
          v(20),
          v(21),
          siret,
          v(23),
          v(24),
          v(25),
          v(26),
          v(27),
          dates[0] ?? null,
          dates[1] ?? null,
          dates[2] ?? null,
          v(31),
        ],
      };
    } else if (f[0] === 'geolocalisation') {
      if (f.length !== 6) {
        bad(`${f.length} champs au lieu de 6 pour geolocalisation`);
        continue;
      }
      const finess = f[1] ?? '';
      if (!isFiness(finess)) {
        bad(`FINESS établissement invalide « ${finess} »`);
        continue;
      }
      const source = f[4] || null;
      const crs = source ? crsOf(source) : undefined;
      const point = crs ? toWgs84(Number(f[2]), Number(f[3]), crs) : undefined;
      yield { kind: 'geo', line: number, values: [finess, point?.lat ?? null, point?.lon ?? null, source] };
    } else bad(`type d’enregistrement inconnu « ${f[0]} » (structureet ou geolocalisation)`);
  }
}
