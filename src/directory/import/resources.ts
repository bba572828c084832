import { equipmentColumns } from '../formats/finess-equipment.ts';
import { structureColumns } from '../formats/finess-etalab.ts';
import {
  diplomeColumns,
  mssanteColumns,
  personneActiviteColumns,
  savoirFaireColumns,
} from '../formats/ps-libre-acces.ts';
import type { SourceKind } from '../sources.ts';

export type ResourceName =
  | 'professional'
  | 'activity'
  | 'savoirFaire'
  | 'diploma'
  | 'mailbox'
  | 'structure'
  | 'cabinet'
  | 'equipment';

/** A mirrored resource: its table (and `<table>_stg`), key column and data columns, in the migration's order. */
export interface Resource {
  name: ResourceName;
  label: string;
  table: string;
  key: string;
  columns: readonly string[];
  /** The files that feed it; a resource is only merged (and deactivated) when one of them is imported. */
  sources: readonly SourceKind[];
  /** One row per source line, whose fingerprint the row keeps (`line_hash`): unchanged lines are not staged again. */
  fingerprinted: boolean;
  /** Its staging table computes each row's content hash as the row is staged (migration 0021). */
  stagedHash?: true;
  /**
   * Searches read its indexes alone (name searches, migration 0019): after a large change it is vacuumed, not only
   * analyzed, so that the visibility map they rely on is set at once (PGlite has no autovacuum to do it later).
   */
  indexOnlyReads?: true;
  /** Its rows (by `id_nat`) are parts of a Practitioner resource, whose stored body a change makes stale. */
  practitionerPart?: true;
}

const valuesOf = (map: Record<string, string>) => Object.values(map);

/** A cabinet's columns (migration 0025), those of its activities' structure part. */
export const cabinetColumns = [
  'siret',
  'raison_sociale',
  'enseigne',
  'complement_destinataire',
  'complement_geo',
  'numero_voie',
  'indice_repetition',
  'type_voie',
  'libelle_voie',
  'mention_distribution',
  'cedex',
  'code_postal',
  'commune',
  'telephone',
  'telecopie',
  'email',
  'departement_code',
] as const;

export const resources: Record<ResourceName, Resource> = {
  professional: {
    name: 'professional',
    practitionerPart: true,
    label: 'professionnels',
    table: 'dir_professional',
    key: 'id_nat',
    indexOnlyReads: true,
    columns: [
      'id_type',
      'pp_id',
      'civilite_exercice_code',
      'civilite_exercice',
      'civilite_code',
      'civilite',
      'nom_exercice',
      'prenom_exercice',
    ],
    sources: ['personneActivite'],
    fingerprinted: false,
  },
  activity: {
    name: 'activity',
    practitionerPart: true,
    label: 'situations d’exercice',
    table: 'dir_activity',
    key: 'key',
    columns: valuesOf(personneActiviteColumns),
    stagedHash: true,
    sources: ['personneActivite'],
    fingerprinted: true,
  },
  savoirFaire: {
    name: 'savoirFaire',
    practitionerPart: true,
    label: 'savoir-faire',
    table: 'dir_savoir_faire',
    key: 'key',
    columns: valuesOf(savoirFaireColumns),
    stagedHash: true,
    sources: ['savoirFaire'],
    fingerprinted: true,
  },
  diploma: {
    name: 'diploma',
    practitionerPart: true,
    label: 'diplômes et autorisations',
    table: 'dir_diploma',
    key: 'key',
    columns: valuesOf(diplomeColumns),
    stagedHash: true,
    sources: ['diplome'],
    fingerprinted: true,
  },
  mailbox: {
    name: 'mailbox',
    practitionerPart: true,
    label: 'boîtes MSSanté',
    table: 'dir_mailbox',
    key: 'key',
    columns: valuesOf(mssanteColumns),
    stagedHash: true,
    sources: ['mssante'],
    fingerprinted: true,
  },
  structure: {
    name: 'structure',
    label: 'structures FINESS',
    table: 'dir_structure',
    key: 'finess',
    columns: [...structureColumns.filter((c) => c !== 'finess'), 'lat', 'lon', 'coord_source'],
    sources: ['finessEtalab', 'finessPlus'],
    fingerprinted: false,
  },
  cabinet: {
    name: 'cabinet',
    label: 'structures hors FINESS',
    table: 'dir_cabinet',
    key: 'structure_id',
    columns: cabinetColumns,
    sources: ['personneActivite'],
    fingerprinted: false,
  },
  equipment: {
    name: 'equipment',
    label: 'équipements sociaux',
    table: 'dir_equipment',
    key: 'key',
    columns: [...equipmentColumns],
    sources: ['finessEquipment'],
    fingerprinted: false,
  },
};

/** Reads one column of the line being staged. */
export type Get = (column: string) => string | null;

/** Keys built from a row's identifying fields; a change of structure is the end of one activity and the start of another. */
export function activityKey(v: Get): string {
  return [
    v('id_nat'),
    v('profession_code'),
    v('categorie_code'),
    v('structure_id') ?? v('finess_site') ?? v('siret') ?? '',
    v('mode_code'),
    v('role_code'),
    v('secteur_code'),
    v('genre_code'),
  ]
    .map((x) => x ?? '')
    .join('|');
}

const join = (v: Get, columns: readonly string[]) => columns.map((c) => v(c) ?? '').join('|');

export const savoirFaireKey = (v: Get) => join(v, ['id_nat', 'profession_code', 'type_code', 'code']);

export const diplomaKey = (v: Get) =>
  join(v, ['id_nat', 'type_diplome_code', 'diplome_code', 'type_autorisation_code', 'discipline_code']);

export const mailboxKey = (v: Get) => join(v, ['adresse', 'id_nat', 'structure_id']);

/** A site's activity: its FINESS triplet. */
export const equipmentKey = (v: Get) =>
  join(v, ['finess', 'discipline_code', 'activite_code', 'clientele_code']);
