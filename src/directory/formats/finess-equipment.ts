import { isFiness } from '../identifiers.ts';
import { etalabRecords, isoDate } from './finess-etalab.ts';
import type { Line } from './lines.ts';
import type { Reject } from './table.ts';

/**
 * FINESS "etalab" extraction of social equipment, `etalab-cs1100505-stock-YYYYMMDD-hhmm.csv`: the same marker
 * line and `;` records as `cs1100507` (shared/research/annuaire.md §3.1), with `structureet` records mapping a
 * site to its EJ and `equipementsocial` records (28 fields): one authorised or installed activity of an ESMS,
 * the FINESS triplet discipline / mode de fonctionnement (activité) / clientèle with capacities, ages and dates.
 * The field order is the one published readers use (the official description of this record was not attached
 * to the dataset); the deletion flags sit at 15 (installation) and 24 (authorisation).
 */
export const fileName = /^etalab[-_]cs1100505[-_]stock[-_](\d{8})[-_](\d{4})\.csv$/;

/** Mirror columns of an `equipementsocial` record, after its record type, in the file's order. */
export const equipmentColumns = [
  'finess',
  'discipline_code',
  'discipline',
  'activite_code',
  'activite',
  'clientele_code',
  'clientele',
  'source_info',
  'capacite_installee',
  'capacite_installee_hommes',
  'capacite_installee_femmes',
  'capacite_installee_aide_sociale',
  'age_min_installe',
  'age_max_installe',
  'installation_supprimee',
  'date_derniere_installation',
  'date_premiere_autorisation',
  'capacite_autorisee',
  'capacite_autorisee_hommes',
  'capacite_autorisee_femmes',
  'capacite_autorisee_aide_sociale',
  'age_min_autorise',
  'age_max_autorise',
  'autorisation_supprimee',
  'date_autorisation',
  'date_maj_autorisation',
  'date_maj_installation',
] as const;

export interface EquipmentRecord {
  line: number;
  /** `equipmentColumns`' values. */
  values: Array<string | null>;
}

const code = /^[0-9A-Z]{1,4}$/;
const count = /^\d{1,6}$/;
const dateColumns = [15, 16, 24, 25, 26];
const countColumns = [8, 9, 10, 11, 12, 13, 17, 18, 19, 20, 21, 22];

/** The `equipementsocial` records of the file, checked; `structureet` lines are the EJ mapping, already known. */
export async function* readFinessEquipment(
  file: string,
  lines: AsyncIterable<Line>,
  reject: (r: Reject) => void,
): AsyncGenerator<EquipmentRecord> {
  for await (const { number, fields: f } of etalabRecords(file, lines)) {
    const bad = (reason: string) => reject({ file, line: number, reason });
    if (f[0] === 'structureet') continue;
    if (f[0] !== 'equipementsocial') {
      bad(`type d’enregistrement inconnu « ${f[0]} » (equipementsocial ou structureet)`);
      continue;
    }
    if (f.length !== 28) {
      bad(`${f.length} champs au lieu de 28 pour equipementsocial`);
      continue;
    }
    const values = f.slice(1).map((v) => (v === '' ? null : v));
    const at = (i: number) => values[i] ?? null;
    const problem = !isFiness(at(0) ?? '')
      ? `FINESS établissement invalide « ${at(0) ?? ''} »`
      : [1, 3, 5].some((i) => !code.test(at(i) ?? ''))
        ? 'discipline, activité et clientèle : codes attendus'
        : countColumns.some((i) => at(i) !== null && !count.test(at(i) as string))
          ? 'capacités et âges : nombres entiers attendus'
          : [14, 23].some((i) => at(i) !== null && at(i) !== 'O' && at(i) !== 'N')
            ? 'indicateurs de suppression : O ou N attendu'
            : dateColumns.some((i) => at(i) !== null && !isoDate.test(at(i) as string))
              ? 'dates au format AAAA-MM-JJ attendues'
              : null;
    if (problem) bad(problem);
    else yield { line: number, values };
  }
}
