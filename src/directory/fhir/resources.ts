import { instant } from './dates.ts';
import {
  codeSystem,
  extension,
  identifierSystem,
  identifierTypeSystem,
  metaSource,
  profile,
} from './systems.ts';

/** The rows a resource is built from; the search module selects them, these functions only shape them. */
export interface ProfessionalRow {
  id_nat: string;
  id_type: string | null;
  pp_id: string | null;
  civilite_code: string | null;
  civilite_exercice_code: string | null;
  nom_exercice: string | null;
  prenom_exercice: string | null;
  active: boolean;
  last_updated: Date;
}

export interface ProfessionRow {
  id_nat: string;
  profession_code: string | null;
  profession: string | null;
  categorie_code: string | null;
  categorie: string | null;
}

export interface SavoirFaireRow {
  id_nat: string;
  type_code: string | null;
  type: string | null;
  code: string | null;
  libelle: string | null;
}

export interface DiplomaRow {
  id_nat: string;
  type_diplome_code: string | null;
  type_diplome: string | null;
  diplome_code: string | null;
  diplome: string | null;
  type_autorisation_code: string | null;
  type_autorisation: string | null;
  discipline_code: string | null;
  discipline: string | null;
}

export interface MailboxRow {
  id_nat: string | null;
  structure_id: string | null;
  type: string | null;
  adresse: string | null;
  service: string | null;
  dematerialisation: string | null;
}

export interface ActivityRow {
  id: string;
  id_nat: string | null;
  nom_exercice: string | null;
  prenom_exercice: string | null;
  mode_code: string | null;
  mode: string | null;
  role_code: string | null;
  role: string | null;
  genre_code: string | null;
  genre: string | null;
  finess_site: string | null;
  siret: string | null;
  structure_id: string | null;
  raison_sociale: string | null;
  /** Whether `finess_site` is an Organization we serve (a FINESS structure of the mirror). */
  has_organization: boolean;
  /** Whether `structure_id`, for an activity without FINESS, is a cabinet we serve as an Organization. */
  has_cabinet: boolean;
  active: boolean;
  last_updated: Date;
}

export interface StructureRow {
  finess: string;
  finess_ej: string | null;
  raison_sociale: string | null;
  raison_sociale_longue: string | null;
  complement_rs: string | null;
  complement_distribution: string | null;
  numero_voie: string | null;
  type_voie: string | null;
  voie: string | null;
  complement_voie: string | null;
  lieu_dit: string | null;
  commune: string | null;
  departement: string | null;
  ligne_acheminement: string | null;
  code_postal: string | null;
  telephone: string | null;
  telecopie: string | null;
  categorie_code: string | null;
  categorie: string | null;
  siret: string | null;
  date_ouverture: string | null;
  lat: number | null;
  lon: number | null;
  active: boolean;
  last_updated: Date;
}

/** A structure known only from the RPPS (migration 0025). */
export interface CabinetRow {
  structure_id: string;
  siret: string | null;
  raison_sociale: string | null;
  enseigne: string | null;
  complement_destinataire: string | null;
  complement_geo: string | null;
  numero_voie: string | null;
  indice_repetition: string | null;
  type_voie: string | null;
  libelle_voie: string | null;
  mention_distribution: string | null;
  code_postal: string | null;
  commune: string | null;
  telephone: string | null;
  telecopie: string | null;
  email: string | null;
  departement_code: string | null;
  active: boolean;
  last_updated: Date;
}

export interface EquipmentRow {
  id: string;
  finess: string;
  discipline_code: string | null;
  discipline: string | null;
  activite_code: string | null;
  activite: string | null;
  clientele_code: string | null;
  clientele: string | null;
  capacite_installee: string | null;
  capacite_autorisee: string | null;
  installation_supprimee: string | null;
  autorisation_supprimee: string | null;
  date_derniere_installation: string | null;
  date_autorisation: string | null;
  age_min_autorise: string | null;
  age_max_autorise: string | null;
  age_min_installe: string | null;
  age_max_installe: string | null;
  active: boolean;
  has_organization: boolean;
  last_updated: Date;
}

type Json = Record<string, unknown>;

const coding = (system: string, code: string | null, display?: string | null) =>
  code ? { system, code, ...(display && { display }) } : null;
const present = <T>(values: Array<T | null | undefined>): T[] => values.filter((v): v is T => v != null);

function meta(lastUpdated: Date, profiles: readonly string[]): Json {
  return { lastUpdated: instant(lastUpdated), source: metaSource, profile: [...profiles] };
}

function identifier(type: string, system: string | null, value: string | null): Json | null {
  return value
    ? {
        use: 'official',
        type: { coding: [{ system: identifierTypeSystem, code: type }] },
        ...(system && { system }),
        value,
      }
    : null;
}

/** TRE_R04 type of savoir-faire → the terminology its codes come from (NOS). */
const savoirFaireSystems: Record<string, string> = {
  S: codeSystem.specialiteOrdinale,
  C: 'https://mos.esante.gouv.fr/NOS/TRE_R39-Competence/FHIR/TRE-R39-Competence',
  CEX: 'https://mos.esante.gouv.fr/NOS/TRE_R40-CompetenceExclusive/FHIR/TRE-R40-CompetenceExclusive',
  DNQ: 'https://mos.esante.gouv.fr/NOS/TRE_R42-DESCnonQualifiant/FHIR/TRE-R42-DESCnonQualifiant',
  CAPA: 'https://mos.esante.gouv.fr/NOS/TRE_R43-CapaciteSavoirFaire/FHIR/TRE-R43-CapaciteSavoirFaire',
};

export function mailboxTelecom(m: MailboxRow): Json {
  const metadata = present([
    m.type && {
      url: 'type',
      valueCodeableConcept: { coding: [{ system: codeSystem.typeBal, code: m.type }] },
    },
    m.service && { url: 'service', valueString: m.service },
    m.dematerialisation && { url: 'digitization', valueBoolean: m.dematerialisation === 'O' },
  ]);
  return {
    extension: [
      { url: extension.emailType, valueCoding: { system: codeSystem.emailType, code: 'MSSANTE' } },
      { url: extension.mailboxMetadata, extension: metadata },
    ],
    system: 'email',
    value: m.adresse,
  };
}

function practitionerIdentifiers(p: Pick<ProfessionalRow, 'id_nat' | 'id_type' | 'pp_id'>): Json[] {
  return present([
    identifier('IDNPS', identifierSystem.idNatPs, p.id_nat),
    p.id_type === '8' ? identifier('RPPS', identifierSystem.rpps, p.pp_id) : null,
    // The ADELI identifier system is not published (FR Core leaves it open): typed, without a system.
    p.id_type === '0' ? identifier('ADELI', null, p.pp_id) : null,
  ]);
}

export interface PractitionerParts {
  professions: ProfessionRow[];
  savoirFaire: SavoirFaireRow[];
  diplomas: DiplomaRow[];
  mailboxes: MailboxRow[];
}

/**
 * Practitioner as `as-dp-practitioner`: identifiers, name (civilité as prefix, civilité d'exercice as suffix),
 * qualifications (profession with category, savoir-faire, diplomas), personal MSSanté mailboxes. A deactivated
 * professional keeps only its identifiers and `active: false`, as the national API does for deltas.
 */
export function practitioner(p: ProfessionalRow, parts: PractitionerParts): Json {
  const base = {
    resourceType: 'Practitioner',
    id: p.id_nat,
    meta: meta(p.last_updated, profile.practitioner),
    identifier: practitionerIdentifiers(p),
    active: p.active,
  };
  if (!p.active) return base;
  const name = {
    use: 'usual',
    ...(p.nom_exercice && { family: p.nom_exercice }),
    ...(p.prenom_exercice && { given: [p.prenom_exercice] }),
    ...(p.civilite_code && { prefix: [p.civilite_code] }),
    ...(p.civilite_exercice_code && { suffix: [p.civilite_exercice_code] }),
  };
  const qualification = [
    ...parts.professions.map((x) => ({
      code: {
        coding: present([
          coding(codeSystem.profession, x.profession_code, x.profession),
          coding(codeSystem.categorie, x.categorie_code, x.categorie),
        ]),
      },
    })),
    ...parts.savoirFaire.map((x) => ({
      code: {
        coding: present([
          coding(codeSystem.typeSavoirFaire, x.type_code, x.type),
          coding(savoirFaireSystems[x.type_code ?? ''] ?? codeSystem.specialiteOrdinale, x.code, x.libelle),
        ]),
      },
    })),
    ...parts.diplomas
      .filter((x) => x.diplome_code)
      .map((x) => ({
        code: {
          coding: present([
            coding(codeSystem.diplome, x.diplome_code, x.diplome),
            coding(codeSystem.typeDiplome, x.type_diplome_code, x.type_diplome),
          ]),
        },
      })),
  ].filter((q) => q.code.coding.length > 0);
  // Authorisations to practise (a row of the diploma file without a diploma) go to their IG extension.
  const authorizations = parts.diplomas
    .filter((x) => x.type_autorisation_code)
    .map((x) => ({
      url: extension.authorization,
      extension: present([
        {
          url: 'type',
          valueCodeableConcept: {
            coding: [coding(codeSystem.typeAutorisation, x.type_autorisation_code, x.type_autorisation)],
          },
        },
        x.discipline_code && {
          url: 'field',
          valueCodeableConcept: {
            coding: [coding(codeSystem.disciplineAutorisation, x.discipline_code, x.discipline)],
          },
        },
      ]),
    }));
  return {
    ...base,
    ...(authorizations.length > 0 && { extension: authorizations }),
    name: [name],
    ...(parts.mailboxes.length > 0 && { telecom: parts.mailboxes.map(mailboxTelecom) }),
    ...(qualification.length > 0 && { qualification }),
  };
}

/** PractitionerRole as `as-dp-practitionerrole`: one situation d'exercice, its codes and its MSSanté mailboxes. */
export function practitionerRole(a: ActivityRow, mailboxes: MailboxRow[]): Json {
  const base = {
    resourceType: 'PractitionerRole',
    id: a.id,
    meta: meta(a.last_updated, profile.practitionerRole),
    identifier: [{ system: identifierSystem.rpps, value: a.id }],
    active: a.active,
  };
  if (!a.active) return base;
  const display = [a.prenom_exercice, a.nom_exercice].filter(Boolean).join(' ');
  const served = a.finess_site && a.has_organization ? a.finess_site : a.has_cabinet ? a.structure_id : null;
  const organization = served
    ? { reference: `Organization/${served}`, ...(a.raison_sociale && { display: a.raison_sociale }) }
    : a.structure_id || a.finess_site || a.siret
      ? {
          identifier: a.finess_site
            ? { system: identifierSystem.finess, value: a.finess_site }
            : a.structure_id
              ? { system: identifierSystem.idNatStruct, value: a.structure_id }
              : { system: identifierSystem.sirene, value: a.siret },
          ...(a.raison_sociale && { display: a.raison_sociale }),
        }
      : null;
  const code = present([
    coding(codeSystem.genreActivite, a.genre_code, a.genre),
    coding(codeSystem.modeExercice, a.mode_code, a.mode),
    coding(codeSystem.fonction, a.role_code, a.role),
  ]).map((c) => ({ coding: [c] }));
  return {
    ...base,
    ...(a.id_nat && { practitioner: { reference: `Practitioner/${a.id_nat}`, ...(display && { display }) } }),
    ...(organization && { organization }),
    ...(code.length > 0 && { code }),
    ...(mailboxes.length > 0 && { telecom: mailboxes.map(mailboxTelecom) }),
  };
}

/** `"92041 SAINT-VAL-SUR-MER"` → the city part of a FINESS routing line. */
export function cityOf(ligneAcheminement: string | null): string | null {
  if (!ligneAcheminement) return null;
  const m = /^\d{5}\s+(.+)$/.exec(ligneAcheminement.trim());
  return m?.[1] ?? ligneAcheminement.trim();
}

/** Every Organization served is a geographic entity (a site), FINESS structure or cabinet. */
const geographicalEntity = {
  coding: [
    { system: codeSystem.organizationType, code: 'GEOGRAPHICAL-ENTITY', display: 'Entité géographique' },
  ],
};

/** An Organization's work contacts, then its MSSanté mailboxes. */
function organizationTelecom(
  contacts: { phone: string | null; fax: string | null; email?: string | null },
  mailboxes: MailboxRow[],
): Json[] {
  return [
    ...(['phone', 'fax', 'email'] as const).flatMap((system) => {
      const value = contacts[system];
      return value ? [{ system, value, use: 'work' }] : [];
    }),
    ...mailboxes.map(mailboxTelecom),
  ];
}

/**
 * Organization as `as-dp-organization` for a FINESS geographic entity: identifiers (FINESS, idNat_Struct,
 * SIRET), types, names, telecom (phone, fax, MSSanté), address with its coordinates (the standard geolocation
 * extension, which the national API does not give) and the legal entity it belongs to.
 */
export function organization(s: StructureRow, mailboxes: MailboxRow[]): Json {
  const base = {
    resourceType: 'Organization',
    id: s.finess,
    meta: meta(s.last_updated, profile.organization),
    identifier: present([
      identifier('FINEG', identifierSystem.finess, s.finess),
      identifier('IDNST', identifierSystem.idNatStruct, `1${s.finess}`),
      identifier('SIRET', identifierSystem.sirene, s.siret),
    ]),
    active: s.active,
  };
  const name = s.raison_sociale_longue ?? s.raison_sociale;
  if (!s.active) return { ...base, ...(name && { name }) };
  const street = [s.numero_voie, s.type_voie, s.voie].filter(Boolean).join(' ');
  const line = present([
    s.complement_rs,
    s.complement_voie,
    street || null,
    s.lieu_dit,
    s.complement_distribution,
  ]);
  const address = {
    use: 'work',
    type: 'physical',
    ...(line.length > 0 && { line }),
    ...(cityOf(s.ligne_acheminement) && { city: cityOf(s.ligne_acheminement) }),
    ...(s.departement && { district: s.departement }),
    ...(s.code_postal && { postalCode: s.code_postal }),
    country: 'FRA',
    ...(s.lat != null &&
      s.lon != null && {
        extension: [
          {
            url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
            extension: [
              { url: 'latitude', valueDecimal: s.lat },
              { url: 'longitude', valueDecimal: s.lon },
            ],
          },
        ],
      }),
  };
  const telecom = organizationTelecom({ phone: s.telephone, fax: s.telecopie }, mailboxes);
  return {
    ...base,
    type: present([
      geographicalEntity,
      s.categorie_code && {
        coding: [coding(codeSystem.categorieEtablissement, s.categorie_code, s.categorie)],
      },
    ]),
    ...(name && { name }),
    ...(s.raison_sociale && s.raison_sociale !== name && { alias: [s.raison_sociale] }),
    ...(telecom.length > 0 && { telecom }),
    address: [address],
    ...(s.finess_ej && {
      partOf: { type: 'Organization', identifier: { system: identifierSystem.finess, value: s.finess_ej } },
    }),
  };
}

/**
 * Organization as `as-dp-organization` for a structure known only from the RPPS (a cabinet, a société d'exercice):
 * its technical identifier (idNat_Struct) and SIRET, names, telecom and address as its activities give them.
 */
export function cabinetOrganization(c: CabinetRow, mailboxes: MailboxRow[]): Json {
  const base = {
    resourceType: 'Organization',
    id: c.structure_id,
    meta: meta(c.last_updated, profile.organization),
    identifier: present([
      identifier('IDNST', identifierSystem.idNatStruct, c.structure_id),
      identifier('SIRET', identifierSystem.sirene, c.siret),
    ]),
    active: c.active,
  };
  const name = c.raison_sociale ?? c.enseigne;
  if (!c.active) return { ...base, ...(name && { name }) };
  const street = [c.numero_voie, c.indice_repetition, c.type_voie, c.libelle_voie].filter(Boolean).join(' ');
  // The lines in the order of a French postal address (NF Z 10-011).
  const line = present([c.complement_destinataire, c.complement_geo, street || null, c.mention_distribution]);
  const telecom = organizationTelecom({ phone: c.telephone, fax: c.telecopie, email: c.email }, mailboxes);
  return {
    ...base,
    type: [geographicalEntity],
    ...(name && { name }),
    ...(c.enseigne && c.enseigne !== name && { alias: [c.enseigne] }),
    ...(telecom.length > 0 && { telecom }),
    address: [
      {
        use: 'work',
        type: 'physical',
        ...(line.length > 0 && { line }),
        ...(c.commune && { city: c.commune }),
        ...(c.departement_code && { district: c.departement_code }),
        ...(c.code_postal && { postalCode: c.code_postal }),
        country: 'FRA',
      },
    ],
  };
}

const integer = (value: string | null) => (value === null ? null : Number(value));
const ageRange = (low: string | null, high: string | null) =>
  low === null && high === null
    ? null
    : {
        ...(low !== null && { low: { value: Number(low), unit: 'an' } }),
        ...(high !== null && { high: { value: Number(high), unit: 'an' } }),
      };
const complex = (url: string, parts: Array<Json | null | false>): Json | null => {
  const extension = parts.filter((p): p is Json => !!p);
  return extension.length > 0 ? { url, extension } : null;
};

/**
 * HealthcareService as `as-dp-healthcareservice-social-equipment`: one activity of an ESMS (discipline, type
 * d'activité, clientèle) with its authorisation, installation, capacities and ages. A deleted authorisation makes
 * it inactive; one gone from FINESS comes back reduced to its id, as the national API does.
 */
export function healthcareService(e: EquipmentRow): Json {
  const deleted = e.autorisation_supprimee === 'O';
  const base = {
    resourceType: 'HealthcareService',
    id: e.id,
    meta: meta(e.last_updated, profile.healthcareService),
    active: e.active && !deleted,
  };
  if (!e.active) return base;
  const extensions = present([
    complex(extension.equipmentAuthorization, [
      e.date_autorisation !== null && { url: 'dateAuthorization', valueDate: e.date_autorisation },
      e.autorisation_supprimee !== null && { url: 'deletedAuthorization', valueBoolean: deleted },
    ]),
    complex(extension.equipmentInstallation, [
      e.installation_supprimee !== null && {
        url: 'deletedInstallation',
        valueBoolean: e.installation_supprimee === 'O',
      },
    ]),
    complex(extension.supportedCapacity, [
      e.capacite_autorisee !== null && {
        url: 'capacityAvailable',
        valueInteger: integer(e.capacite_autorisee),
      },
      e.capacite_installee !== null && {
        url: 'installedCapacity',
        valueInteger: integer(e.capacite_installee),
      },
    ]),
    complex(extension.patientType, [
      ageRange(e.age_min_autorise, e.age_max_autorise) && {
        url: 'authorizedAgeRange',
        valueRange: ageRange(e.age_min_autorise, e.age_max_autorise),
      },
      ageRange(e.age_min_installe, e.age_max_installe) && {
        url: 'installedAgeRange',
        valueRange: ageRange(e.age_min_installe, e.age_max_installe),
      },
    ]),
  ]);
  const type = coding(codeSystem.disciplineEquipementSocial, e.discipline_code, e.discipline);
  const characteristic = coding(codeSystem.typeActivite, e.activite_code, e.activite);
  const clientele = coding(codeSystem.clientele, e.clientele_code, e.clientele);
  return {
    ...base,
    ...(extensions.length > 0 && { extension: extensions }),
    providedBy: e.has_organization
      ? { reference: `Organization/${e.finess}` }
      : { identifier: { system: identifierSystem.finess, value: e.finess } },
    ...(type && { type: [{ coding: [type] }] }),
    ...(characteristic && { characteristic: [{ coding: [characteristic] }] }),
    ...(clientele && { eligibility: [{ code: { coding: [clientele] } }] }),
  };
}
