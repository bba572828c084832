/**
 * The open extractions of the Annuaire Santé: `PS_LibreAcces_{Personne_activite,SavoirFaire,Dipl_AutExerc}` and
 * `Extraction_Correspondance_MSSante`. Column names: shared/research/annuaire.md §1.3–1.6. Each file maps header
 * names to the columns of its table; the mapping, not the position, is the contract.
 */

export interface ColumnMap {
  /** Header name in the published file → column of our table. */
  readonly [header: string]: string;
}

const identity = {
  "Type d'identifiant PP": 'id_type',
  'Identifiant PP': 'pp_id',
  'Identification nationale PP': 'id_nat',
} as const;

/** Name and profession of the exercice professionnel, in the same order in both files that carry them. */
const exercice = {
  "Nom d'exercice": 'nom_exercice',
  "Prénom d'exercice": 'prenom_exercice',
  'Code profession': 'profession_code',
  'Libellé profession': 'profession',
  'Code catégorie professionnelle': 'categorie_code',
  'Libellé catégorie professionnelle': 'categorie',
} as const;

export const personneActiviteColumns = {
  ...identity,
  "Code civilité d'exercice": 'civilite_exercice_code',
  "Libellé civilité d'exercice": 'civilite_exercice',
  'Code civilité': 'civilite_code',
  'Libellé civilité': 'civilite',
  ...exercice,
  'Code type savoir-faire': 'savoir_faire_type_code',
  'Libellé type savoir-faire': 'savoir_faire_type',
  'Code savoir-faire': 'savoir_faire_code',
  'Libellé savoir-faire': 'savoir_faire',
  'Code mode exercice': 'mode_code',
  'Libellé mode exercice': 'mode',
  'Numéro SIRET site': 'siret',
  'Numéro SIREN site': 'siren',
  'Numéro FINESS site': 'finess_site',
  'Numéro FINESS établissement juridique': 'finess_ej',
  'Identifiant technique de la structure': 'structure_id',
  'Raison sociale site': 'raison_sociale',
  'Enseigne commerciale site': 'enseigne',
  'Complément destinataire (coord. structure)': 'complement_destinataire',
  'Complément point géographique (coord. structure)': 'complement_geo',
  'Numéro Voie (coord. structure)': 'numero_voie',
  'Indice répétition voie (coord. structure)': 'indice_repetition',
  'Code type de voie (coord. structure)': 'type_voie_code',
  'Libellé type de voie (coord. structure)': 'type_voie',
  'Libellé Voie (coord. structure)': 'libelle_voie',
  'Mention distribution (coord. structure)': 'mention_distribution',
  'Bureau cedex (coord. structure)': 'cedex',
  'Code postal (coord. structure)': 'code_postal',
  'Code commune (coord. structure)': 'commune_code',
  'Libellé commune (coord. structure)': 'commune',
  'Code pays (coord. structure)': 'pays_code',
  'Libellé pays (coord. structure)': 'pays',
  'Téléphone (coord. structure)': 'telephone',
  'Téléphone 2 (coord. structure)': 'telephone2',
  'Télécopie (coord. structure)': 'telecopie',
  'Adresse e-mail (coord. structure)': 'email',
  'Code Département (structure)': 'departement_code',
  'Libellé Département (structure)': 'departement',
  'Ancien identifiant de la structure': 'ancien_id_structure',
  "Autorité d'enregistrement": 'autorite',
  "Code secteur d'activité": 'secteur_code',
  "Libellé secteur d'activité": 'secteur',
  'Code section tableau pharmaciens': 'section_pharma_code',
  'Libellé section tableau pharmaciens': 'section_pharma',
  'Code rôle': 'role_code',
  'Libellé rôle': 'role',
  'Code genre activité': 'genre_code',
  'Libellé genre activité': 'genre',
} as const;

export const savoirFaireColumns = {
  ...identity,
  ...exercice,
  'Code type savoir-faire': 'type_code',
  'Libellé type savoir-faire': 'type',
  'Code savoir-faire': 'code',
  'Libellé savoir-faire': 'libelle',
} as const;

export const diplomeColumns = {
  ...identity,
  "Nom d'exercice": 'nom_exercice',
  "Prénom d'exercice": 'prenom_exercice',
  'Code type diplôme obtenu': 'type_diplome_code',
  'Libellé type diplôme obtenu': 'type_diplome',
  'Code diplôme obtenu': 'diplome_code',
  'Libellé diplôme obtenu': 'diplome',
  'Code type autorisation': 'type_autorisation_code',
  'Libellé type autorisation': 'type_autorisation',
  'Code discipline autorisation': 'discipline_code',
  'Libellé discipline autorisation': 'discipline',
} as const;

export const mssanteColumns = {
  'Type de BAL': 'type',
  'Adresse BAL': 'adresse',
  'Type Identifiant PP': 'id_type',
  'Identifiant PP': 'pp_id',
  'Identification nationale PP': 'id_nat',
  'Type identifiant structure': 'structure_id_type',
  'Identification Structure': 'structure_id',
  'Service de rattachement': 'service',
  "Civilité d'exercice": 'civilite_exercice',
  "Nom d'exercice": 'nom_exercice',
  "Prénom d'exercice": 'prenom_exercice',
  'Catégorie profession': 'categorie_code',
  'Libellé de catégorie profession': 'categorie',
  'Code Profession': 'profession_code',
  'Libellé Profession': 'profession',
  'Code savoir-faire': 'savoir_faire_code',
  'Libellé savoir-faire': 'savoir_faire',
  Dématérialisation: 'dematerialisation',
  'Raison Sociale structure BAL': 'raison_sociale',
  'Enseigne commerciale structure BAL': 'enseigne',
  L2COMPLEMENTLOCALISATION: 'complement_localisation',
  L3COMPLEMENTDISTRIBUTION: 'complement_distribution',
  L4NUMEROVOIE: 'numero_voie',
  L4COMPLEMENTNUMEROVOIE: 'complement_numero_voie',
  NL4TYPEVOIE: 'type_voie',
  L4LIBELLEVOIE: 'libelle_voie',
  L5LIEUDITMENTION: 'lieu_dit',
  L6LIGNEACHEMINEMENT: 'ligne_acheminement',
  'Code postal': 'code_postal',
  Département: 'departement',
  Pays: 'pays',
} as const;

/** Published file names, with the extraction timestamp `YYYYMMDDhhmm`. */
export const fileNames = {
  bundle: /^PS_LibreAcces_(\d{12})\.zip$/,
  personneActivite: /^PS_LibreAcces_Personne_activite_(\d{12})\.txt$/,
  savoirFaire: /^PS_LibreAcces_SavoirFaire_(\d{12})\.txt$/,
  diplome: /^PS_LibreAcces_Dipl_AutExerc_(\d{12})\.txt$/,
  mssante: /^Extraction_Correspondance_MSSante_(\d{12})\.(txt|zip)$/,
} as const;
