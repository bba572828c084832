import {
  diplomeColumns,
  mssanteColumns,
  personneActiviteColumns,
  savoirFaireColumns,
} from '../formats/ps-libre-acces.ts';
import type { Person, Structure } from './population.ts';
import { sectorLabel } from './population.ts';
import { Random } from './random.ts';
import { socialEquipment } from './referentials.ts';

type Record_ = Record<string, string | null | undefined>;

/** Lays a record keyed by our column names out in the published header order. */
function line(
  columns: Record<string, string>,
  record: Record_,
  separator: string,
  trailing: boolean,
): string {
  const fields = Object.values(columns).map((c) => (record[c] ?? '').replaceAll(separator, ' '));
  return fields.join(separator) + (trailing ? separator : '');
}

export const headerLine = (columns: Record<string, string>) => `${Object.keys(columns).join('|')}|`;

function identity(p: Person): Record_ {
  return {
    id_type: p.idType,
    pp_id: p.id,
    id_nat: `${p.idType}${p.id}`,
    nom_exercice: p.lastName,
    prenom_exercice: p.firstName,
  };
}

const doctorTitle = new Set(['10', '21', '40']);

export function* activityLines(p: Person): Generator<string> {
  for (const a of p.activities) {
    const s = a.structure;
    const c = a.cabinet;
    const where = s?.place ?? c?.place;
    const sector = s?.category[4] ?? null;
    yield line(
      personneActiviteColumns,
      {
        ...identity(p),
        civilite_exercice_code: doctorTitle.has(p.profession.code) ? 'DR' : null,
        civilite_exercice: doctorTitle.has(p.profession.code) ? 'Docteur' : null,
        civilite_code: p.sex === 'F' ? 'MME' : 'M',
        civilite: p.sex === 'F' ? 'Madame' : 'Monsieur',
        profession_code: p.profession.code,
        profession: p.profession.label,
        categorie_code: p.category[0],
        categorie: p.category[1],
        savoir_faire_type_code: a.speciality ? 'S' : null,
        savoir_faire_type: a.speciality ? 'Spécialité ordinale' : null,
        savoir_faire_code: a.speciality?.[0],
        savoir_faire: a.speciality?.[1],
        mode_code: a.mode[0],
        mode: a.mode[1],
        siret: s?.siret,
        siren: s?.siret.slice(0, 9),
        finess_site: s?.finess,
        finess_ej: s?.finessEj,
        structure_id: s ? `F${s.finess}` : c?.id,
        raison_sociale: s?.name ?? c?.name,
        numero_voie: where?.numero,
        type_voie_code: where?.typeVoie[0],
        type_voie: where?.typeVoie[1],
        libelle_voie: where?.voie,
        code_postal: where?.postalCode,
        commune_code: where?.communeCode,
        commune: where?.commune,
        pays_code: '99100',
        pays: 'France',
        telephone: s?.telephone,
        departement_code: where?.departement,
        departement: where?.departementLabel,
        ancien_id_structure: s ? `1${s.finess}` : null,
        autorite: p.profession.authority === 'Ordre' ? 'ORDRE' : 'ARS',
        secteur_code: sector,
        secteur: sectorLabel(sector),
        genre_code: 'GENR01',
        genre: 'Activité standard',
      },
      '|',
      true,
    );
  }
}

export function* savoirFaireLines(p: Person): Generator<string> {
  for (const [code, label] of p.specialities)
    yield line(
      savoirFaireColumns,
      {
        ...identity(p),
        profession_code: p.profession.code,
        profession: p.profession.label,
        categorie_code: p.category[0],
        categorie: p.category[1],
        type_code: code === 'CEX' ? 'CEX' : 'S',
        type: code === 'CEX' ? 'Compétence exclusive' : 'Spécialité ordinale',
        code,
        libelle: label,
      },
      '|',
      true,
    );
}

export function* diplomaLines(p: Person): Generator<string> {
  yield line(
    diplomeColumns,
    {
      ...identity(p),
      type_diplome_code: 'DE',
      type_diplome: 'Diplôme d’État français',
      diplome_code: `DE${p.profession.code}`,
      diplome: `DE de ${p.profession.label}`,
    },
    '|',
    true,
  );
  if (p.diplomas > 1)
    yield line(
      diplomeColumns,
      {
        ...identity(p),
        type_autorisation_code: 'AUT',
        type_autorisation: 'Autorisation d’exercice',
        discipline_code: `D${p.profession.code}`,
        discipline: p.profession.label,
      },
      '|',
      true,
    );
}

export function personMailboxLine(p: Person): string | null {
  if (!p.mailbox) return null;
  const a = p.activities[0];
  const s = a?.structure;
  return line(
    mssanteColumns,
    {
      type: 'PER',
      adresse: p.mailbox,
      ...identity(p),
      structure_id_type: s ? '1' : null,
      structure_id: s?.finess,
      civilite_exercice: doctorTitle.has(p.profession.code) ? 'DR' : null,
      categorie_code: p.category[0],
      categorie: p.category[1],
      profession_code: p.profession.code,
      profession: p.profession.label,
      savoir_faire_code: a?.speciality?.[0],
      savoir_faire: a?.speciality?.[1],
      dematerialisation: 'O',
      raison_sociale: s?.name ?? a?.cabinet?.name,
      numero_voie: (s?.place ?? a?.cabinet?.place)?.numero,
      libelle_voie: (s?.place ?? a?.cabinet?.place)?.voie,
      code_postal: (s?.place ?? a?.cabinet?.place)?.postalCode,
      departement: (s?.place ?? a?.cabinet?.place)?.departement,
      pays: 'France',
    },
    '|',
    true,
  );
}

export function structureMailboxLine(s: Structure): string {
  return line(
    mssanteColumns,
    {
      type: 'ORG',
      adresse: `secretariat.${s.finess.toLowerCase()}@etablissement.mssante.test`,
      structure_id_type: '1',
      structure_id: s.finess,
      service: 'Secrétariat',
      dematerialisation: 'O',
      raison_sociale: s.name,
      numero_voie: s.place.numero,
      libelle_voie: s.place.voie,
      code_postal: s.place.postalCode,
      departement: s.place.departement,
      pays: 'France',
    },
    '|',
    true,
  );
}

/** FINESS etalab `structureet` and `geolocalisation` records (32 and 6 fields, `;`). */
export function finessLines(s: Structure): [string, string] {
  const p = s.place;
  const clean = (v: string) => v.replaceAll(';', ' ');
  const structureet = [
    'structureet',
    s.finess,
    s.finessEj,
    s.name.slice(0, 38),
    s.name,
    '',
    '',
    p.numero,
    p.typeVoie[0],
    p.voie,
    '',
    '',
    p.communeCode.slice(p.departement.length),
    p.departement,
    p.departementLabel,
    `${p.postalCode} ${p.commune}`,
    s.telephone,
    '',
    s.category[0],
    s.category[1],
    '',
    '',
    s.siret,
    '',
    '',
    '',
    '',
    '',
    s.opened,
    s.opened,
    s.updated,
    '',
  ].map(clean);
  const source =
    s.coordinates.crs === 'EPSG:2154'
      ? '1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)'
      : `1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,${s.coordinates.crs}`;
  return [
    structureet.join(';'),
    [
      'geolocalisation',
      s.finess,
      s.coordinates.x.toFixed(1),
      s.coordinates.y.toFixed(1),
      source,
      s.updated,
    ].join(';'),
  ];
}

/**
 * FINESS etalab `cs1100505` records of one site: its EJ mapping (`structureet`, 3 fields) and its social
 * equipment (`equipementsocial`, 28 fields); none for a site that is not an ESMS.
 */
export function equipmentLines(seed: number, s: Structure): string[] {
  const equipment = socialEquipment[s.category[0]];
  if (!equipment) return [];
  const r = new Random(seed, 9, s.index);
  const places = String(10 + r.int(110));
  const lines = [['structureet', s.finess, s.finessEj].join(';')];
  for (const [
    i,
    [discipline, disciplineLabel, activity, activityLabel, clientele, clienteleLabel],
  ] of equipment.entries()) {
    if (i > 0 && !r.chance(0.5)) continue;
    const capacity = i === 0 ? places : String(1 + r.int(12));
    lines.push(
      [
        'equipementsocial',
        s.finess,
        discipline,
        disciplineLabel,
        activity,
        activityLabel,
        clientele,
        clienteleLabel,
        '4',
        capacity,
        '',
        '',
        '',
        '',
        '',
        'N',
        s.opened,
        s.opened,
        capacity,
        '',
        '',
        '',
        '',
        '',
        'N',
        s.updated,
        s.updated,
        s.updated,
      ].join(';'),
    );
  }
  return lines;
}
