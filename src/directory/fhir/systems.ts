/**
 * Identifier and code systems of the Annuaire Santé FHIR API (IG `ansforge/IG-fhir-annuaire`, FR Core), so that a
 * client written for the national API reads our resources unchanged. Sources: `shared/research/annuaire.md` §4.5–4.6.
 */
export const identifierSystem = {
  idNatPs: 'urn:oid:1.2.250.1.71.4.2.1',
  rpps: 'https://rpps.esante.gouv.fr',
  idNatStruct: 'urn:oid:1.2.250.1.71.4.2.2',
  finess: 'https://finess.esante.gouv.fr',
  sirene: 'https://sirene.fr',
} as const;

export const identifierTypeSystem = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203';

/** A NOS terminology (`TRE_G15` → `https://mos.esante.gouv.fr/NOS/TRE_G15-…/FHIR/TRE-G15-…`). */
const nos = (tre: string, name: string) =>
  `https://mos.esante.gouv.fr/NOS/${tre}-${name}/FHIR/${tre.replace('_', '-')}-${name}`;

export const codeSystem = {
  profession: nos('TRE_G15', 'ProfessionSante'),
  categorie: nos('TRE_R09', 'CategorieProfessionnelle'),
  typeSavoirFaire: nos('TRE_R04', 'TypeSavoirFaire'),
  specialiteOrdinale: nos('TRE_R38', 'SpecialiteOrdinale'),
  typeDiplome: nos('TRE_R14', 'TypeDiplome'),
  diplome: nos('TRE_R48', 'DiplomeEtatFrancais'),
  genreActivite: nos('TRE_R22', 'GenreActivite'),
  modeExercice: nos('TRE_R23', 'ModeExercice'),
  fonction: nos('TRE_R21', 'Fonction'),
  secteurActivite: nos('TRE_R02', 'SecteurActivite'),
  categorieEtablissement: nos('TRE_R66', 'CategorieEtablissement'),
  civilite: nos('TRE_R81', 'Civilite'),
  civiliteExercice: nos('TRE_R11', 'CiviliteExercice'),
  typeBal: nos('TRE_R257', 'TypeBAL'),
  typeAutorisation:
    'https://mos.esante.gouv.fr/NOS/JDV_J75-TypeAutorisation-RASS/FHIR/JDV-J75-TypeAutorisation-RASS',
  disciplineAutorisation:
    'https://mos.esante.gouv.fr/NOS/JDV_J76-DisciplineAutorisation-RASS/FHIR/JDV-J76-DisciplineAutorisation-RASS',
  emailType: nos('TRE_R256', 'TypeMessagerie'),
  disciplineEquipementSocial: nos('TRE_R280', 'DisciplineEquipementSocial'),
  typeActivite: nos('TRE_R209', 'TypeActivite'),
  clientele: nos('TRE_R279', 'Clientele'),
  organizationType: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-3307',
  subsetted: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
} as const;

const ig = 'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition';
const frCore = 'https://hl7.fr/ig/fhir/core/StructureDefinition';

export const profile = {
  practitioner: [`${frCore}/fr-core-practitioner`, `${ig}/as-dp-practitioner`],
  practitionerRole: [`${frCore}/fr-core-practitioner-role`, `${ig}/as-dp-practitionerrole`],
  organization: [`${frCore}/fr-core-organization`, `${ig}/as-dp-organization`],
  healthcareService: [`${ig}/as-dp-healthcareservice-social-equipment`],
} as const;

export const extension = {
  mailboxMetadata: `${ig}/as-ext-mailbox-mss-metadata`,
  emailType: `${frCore}/fr-core-contact-point-email-type`,
  organizationTypes: `${ig}/as-ext-organization-types`,
  dataTrace: `${ig}/as-ext-data-trace`,
  authorization: `${ig}/as-ext-practitioner-authorization`,
  // Social equipment (IG `AsHealthcareServiceSocialEquipmentProfile`: its extensions by their slice names).
  equipmentAuthorization: `${ig}/as-ext-authorization`,
  equipmentInstallation: `${ig}/as-ext-installation`,
  supportedCapacity: `${ig}/as-ext-supported-capacity`,
  patientType: `${ig}/as-ext-patient-type`,
} as const;

/** Where our resources come from; the national API says `https://annuaire.esante.gouv.fr`. */
export const metaSource = 'https://annuaire.esante.gouv.fr';
