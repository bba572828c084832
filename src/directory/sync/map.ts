import { codeSystem, extension, identifierSystem } from '../fhir/systems.ts';
import { diplomaKey, equipmentKey, type Get, mailboxKey, savoirFaireKey } from '../import/resources.ts';

/** A resource the sync cannot read: the whole sync stops, the served data stays as it was. */
export class SyncFormatError extends Error {
  override name = 'SyncFormatError';
}

type Json = Record<string, unknown>;
export type Row = Record<string, string | number | null>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const array = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function codings(concept: unknown): Json[] {
  return isObject(concept) ? array(concept.coding) : [];
}

function codingOf(
  concepts: unknown[],
  system: string,
): { code: string | null; display: string | null } | null {
  for (const concept of concepts)
    for (const c of codings(concept))
      if (c.system === system) return { code: text(c.code), display: text(c.display) };
  return null;
}

/** A coding as the mirror's pair of columns: `<column>_code` and `<column>` (its display). */
const coded = (column: string, coding: { code: string | null; display: string | null } | null): Row => ({
  [`${column}_code`]: coding?.code ?? null,
  [column]: coding?.display ?? null,
});

function identifierValue(resource: Json, system: string, type?: string): string | null {
  for (const id of array(resource.identifier)) {
    if (type && !codings(id.type).some((c) => c.code === type)) continue;
    if (id.system === system || (type && id.system === undefined)) return text(id.value);
  }
  return null;
}

/** `Practitioner/003-123` or an absolute URL → `003-123`. */
export function referenceId(reference: unknown): string | null {
  if (!isObject(reference)) return null;
  const ref = text(reference.reference);
  return ref ? (ref.split('/').pop() ?? null) : null;
}

function header(resource: unknown, type: string): { id: string; active: boolean; resource: Json } {
  if (!isObject(resource) || resource.resourceType !== type)
    throw new SyncFormatError(
      `Ressource ${type} attendue, reçu ${isObject(resource) ? String(resource.resourceType) : typeof resource}.`,
    );
  const id = text(resource.id);
  if (!id || !/^[A-Za-z0-9.-]{1,64}$/.test(id))
    throw new SyncFormatError(`${type} sans identifiant technique valide.`);
  if (typeof resource.active !== 'boolean')
    throw new SyncFormatError(`${type}/${id} : champ active absent ou invalide.`);
  return { id, active: resource.active, resource };
}

/** A telecom that is an MSSanté mailbox (the e-mail type extension says so), not a plain address. */
const isMailbox = (t: Json): boolean =>
  array(t.extension).some(
    (e) => e.url === extension.emailType && isObject(e.valueCoding) && e.valueCoding.code === 'MSSANTE',
  );

function mailboxes(resource: Json, owner: { id_nat: string | null; structure_id: string | null }): Row[] {
  const rows: Row[] = [];
  for (const t of array(resource.telecom)) {
    const adresse = text(t.value);
    if (t.system !== 'email' || !isMailbox(t) || !adresse) continue;
    const meta = array(t.extension).find((e) => e.url === extension.mailboxMetadata);
    const sub = (url: string) => array(meta?.extension).find((e) => e.url === url);
    const type = codings(sub('type')?.valueCodeableConcept)[0];
    const digitization = sub('digitization')?.valueBoolean;
    const row: Row = {
      type: text(type?.code),
      adresse,
      id_nat: owner.id_nat,
      structure_id: owner.structure_id,
      service: text(sub('service')?.valueString),
      dematerialisation: digitization === true ? 'O' : digitization === false ? 'N' : null,
    };
    rows.push({ key: mailboxKey(getter(row)), ...row });
  }
  return rows;
}

const getter =
  (row: Row): Get =>
  (column) => {
    const v = row[column];
    return v === undefined || v === null ? null : String(v);
  };

export type Mapped<T> = { gone: { key: string } } | ({ gone?: undefined } & T);

export interface PractitionerRows {
  mapping: Row;
  professional: Row;
  savoirFaire: Row[];
  diplomas: Row[];
  mailboxes: Row[];
}

/** Practitioner (as-dp-practitioner) → the mirror's professional, savoir-faire, diploma and mailbox rows. */
export function mapPractitioner(
  input: unknown,
): Mapped<PractitionerRows> & { upstreamId: string; idNat: string } {
  const { id, active, resource } = header(input, 'Practitioner');
  const idNat =
    identifierValue(resource, identifierSystem.idNatPs, 'IDNPS') ??
    identifierValue(resource, identifierSystem.idNatPs);
  if (!idNat) throw new SyncFormatError(`Practitioner/${id} : identifiant idNat_PS absent.`);
  if (!active) return { gone: { key: idNat }, upstreamId: id, idNat };
  const rpps = identifierValue(resource, identifierSystem.rpps, 'RPPS');
  const adeli = rpps
    ? null
    : array(resource.identifier).find((i) => codings(i.type).some((c) => c.code === 'ADELI'));
  const name = array(resource.name)[0] ?? {};
  const first = (v: unknown) => (Array.isArray(v) ? text(v[0]) : null);
  const qualifications = array(resource.qualification).map((q) => q.code);
  const profession = codingOf(qualifications, codeSystem.profession);
  const categorie = codingOf(qualifications, codeSystem.categorie);
  const nom = text(name.family);
  const prenom = first(name.given);
  const professional: Row = {
    id_nat: idNat,
    id_type: rpps ? '8' : adeli ? '0' : idNat.slice(0, 1),
    pp_id: rpps ?? text(adeli?.value) ?? idNat.slice(1),
    civilite_exercice_code: first(name.suffix),
    civilite_exercice: null,
    civilite_code: first(name.prefix),
    civilite: null,
    nom_exercice: nom,
    prenom_exercice: prenom,
  };
  const savoirFaire: Row[] = [];
  const diplomas: Row[] = [];
  for (const concept of qualifications) {
    const cs = codings(concept);
    const type = cs.find((c) => c.system === codeSystem.typeSavoirFaire);
    const diploma = cs.find((c) => c.system === codeSystem.diplome);
    if (type) {
      const value = cs.find((c) => c !== type);
      const row: Row = {
        id_nat: idNat,
        nom_exercice: nom,
        prenom_exercice: prenom,
        ...coded('profession', profession),
        ...coded('categorie', categorie),
        type_code: text(type.code),
        type: text(type.display),
        code: text(value?.code),
        libelle: text(value?.display),
      };
      savoirFaire.push({ key: savoirFaireKey(getter(row)), ...row });
    } else if (diploma) {
      const kind = cs.find((c) => c.system === codeSystem.typeDiplome);
      const row: Row = {
        id_nat: idNat,
        nom_exercice: nom,
        prenom_exercice: prenom,
        type_diplome_code: text(kind?.code),
        type_diplome: text(kind?.display),
        diplome_code: text(diploma.code),
        diplome: text(diploma.display),
      };
      diplomas.push({ key: diplomaKey(getter(row)), ...row });
    }
  }
  for (const ext of array(resource.extension)) {
    if (ext.url !== extension.authorization) continue;
    const part = (url: string) =>
      codings(array(ext.extension).find((e) => e.url === url)?.valueCodeableConcept)[0];
    const type = part('type');
    const field = part('field');
    const row: Row = {
      id_nat: idNat,
      nom_exercice: nom,
      prenom_exercice: prenom,
      type_autorisation_code: text(type?.code),
      type_autorisation: text(type?.display),
      discipline_code: text(field?.code),
      discipline: text(field?.display),
    };
    diplomas.push({ key: diplomaKey(getter(row)), ...row });
  }
  return {
    upstreamId: id,
    idNat,
    mapping: {
      upstream_id: id,
      id_nat: idNat,
      ...coded('profession', profession),
      ...coded('categorie', categorie),
    },
    professional,
    savoirFaire,
    diplomas,
    mailboxes: mailboxes(resource, { id_nat: idNat, structure_id: null }).map((m) => ({
      ...m,
      ...names(professional),
    })),
  };
}

const names = (p: Row): Row => ({
  id_type: p.id_type ?? null,
  pp_id: p.pp_id ?? null,
  nom_exercice: p.nom_exercice ?? null,
  prenom_exercice: p.prenom_exercice ?? null,
});

export interface RoleRows {
  role: Row;
  /** Mailboxes of the role, keyed later once the practitioner's idNat_PS is resolved. */
  mailboxes: Row[];
}

/** PractitionerRole (as-dp-practitionerrole) → a role row resolved against practitioners and organizations in SQL. */
export function mapPractitionerRole(input: unknown): Mapped<RoleRows> & { upstreamId: string } {
  const { id, active, resource } = header(input, 'PractitionerRole');
  if (!active) return { gone: { key: id }, upstreamId: id };
  const practitionerRef = referenceId(resource.practitioner);
  if (!practitionerRef)
    throw new SyncFormatError(`PractitionerRole/${id} : référence au professionnel absente.`);
  const organization = isObject(resource.organization) ? resource.organization : null;
  const orgIdentifier = isObject(organization?.identifier) ? organization.identifier : null;
  const codes = array(resource.code);
  const genre = codingOf(codes, codeSystem.genreActivite);
  const mode = codingOf(codes, codeSystem.modeExercice);
  const fonction = codingOf(codes, codeSystem.fonction);
  return {
    upstreamId: id,
    role: {
      key: id,
      practitioner_ref: practitionerRef,
      organization_ref: referenceId(organization),
      organization_system: text(orgIdentifier?.system),
      organization_value: text(orgIdentifier?.value),
      organization_name: text(organization?.display),
      ...coded('mode', mode),
      ...coded('role', fonction),
      ...coded('genre', genre),
    },
    mailboxes: mailboxes(resource, { id_nat: null, structure_id: null }).map((m) => ({ ...m, role_key: id })),
  };
}

export interface OrganizationRows {
  mapping: Row;
  /** Present for a FINESS geographic entity, which the mirror keeps as a structure. */
  structure: Row | null;
  /** Present for a structure known only from the RPPS (a cabinet), kept by its idNat_Struct. */
  cabinet: Row | null;
  mailboxes: Row[];
}

function geolocation(address: Json | undefined): { lat: number | null; lon: number | null } {
  const geo = array(address?.extension).find(
    (e) => e.url === 'http://hl7.org/fhir/StructureDefinition/geolocation',
  );
  const value = (url: string) => {
    const v = array(geo?.extension).find((e) => e.url === url)?.valueDecimal;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  return { lat: value('latitude'), lon: value('longitude') };
}

/** Organization (as-dp-organization) → the correspondence of its technical id, and a structure row for FINESS. */
export function mapOrganization(input: unknown): Mapped<OrganizationRows> & { upstreamId: string } {
  const { id, active, resource } = header(input, 'Organization');
  const finess = identifierValue(resource, identifierSystem.finess, 'FINEG');
  const idNatStruct = identifierValue(resource, identifierSystem.idNatStruct);
  const siret = identifierValue(resource, identifierSystem.sirene, 'SIRET');
  const name = text(resource.name);
  const mapping: Row = { upstream_id: id, finess, id_nat_struct: idNatStruct, siret, name };
  if (!active) return { gone: { key: finess ?? idNatStruct ?? id }, upstreamId: id };
  const address = array(resource.address)[0];
  const lines = Array.isArray(address?.line)
    ? address.line.filter((l): l is string => typeof l === 'string')
    : [];
  const postalCode = text(address?.postalCode);
  const city = text(address?.city);
  const type = array(resource.type);
  const categorie = codingOf(type, codeSystem.categorieEtablissement);
  const telecom = array(resource.telecom);
  const contact = (system: string) => text(telecom.find((t) => t.system === system && !isMailbox(t))?.value);
  const partOf =
    isObject(resource.partOf) && isObject(resource.partOf.identifier) ? resource.partOf.identifier : null;
  const alias = Array.isArray(resource.alias) ? text(resource.alias[0]) : null;
  const structure: Row | null = finess
    ? {
        finess,
        finess_ej: text(partOf?.value),
        raison_sociale: alias ?? name,
        raison_sociale_longue: name,
        voie: lines.join(', ') || null,
        departement: text(address?.district),
        ligne_acheminement: postalCode && city ? `${postalCode} ${city}` : city,
        code_postal: postalCode,
        telephone: contact('phone'),
        telecopie: contact('fax'),
        ...coded('categorie', categorie),
        siret,
        ...geolocation(address),
      }
    : null;
  const cabinet: Row | null =
    !finess && idNatStruct
      ? {
          structure_id: idNatStruct,
          siret,
          raison_sociale: name,
          enseigne: alias,
          libelle_voie: lines.join(', ') || null,
          code_postal: postalCode,
          commune: city,
          departement_code: text(address?.district),
          telephone: contact('phone'),
          telecopie: contact('fax'),
          email: contact('email'),
        }
      : null;
  const owner = finess ?? cabinet?.structure_id;
  return {
    upstreamId: id,
    mapping,
    structure,
    cabinet,
    mailboxes: owner ? mailboxes(resource, { id_nat: null, structure_id: String(owner) }) : [],
  };
}

/** The parts of a complex extension (`url` → the part), when `resource` has it. */
function extensionParts(resource: Json, url: string): Map<string, Json> {
  const found = array(resource.extension).find((e) => e.url === url);
  return new Map(array(found?.extension).map((part) => [String(part.url), part]));
}

const integerText = (v: unknown): string | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? String(v) : null;
const flag = (v: unknown): string | null => (v === true ? 'O' : v === false ? 'N' : null);

function ageBounds(part: Json | undefined): [string | null, string | null] {
  const range = isObject(part?.valueRange) ? part.valueRange : null;
  const bound = (b: unknown) => (isObject(b) ? integerText(b.value) : null);
  return [bound(range?.low), bound(range?.high)];
}

/** A social equipment as the API gives it, before its organization is known by its FINESS number. */
export interface ServiceRows {
  /** The equipment's columns, without `finess` and `key`. */
  equipment: Row;
  /** FINESS of the site when `providedBy` gives it as an identifier. */
  finess: string | null;
  /** Id of the Organization `providedBy` refers to (the national API's own ids are not FINESS numbers). */
  organizationRef: string | null;
}

/**
 * HealthcareService as `as-dp-healthcareservice-social-equipment` → the mirror's social equipment row: one activity
 * of an ESMS, keyed once its site's FINESS is known (`keyedEquipment`). One the API returns inactive comes reduced
 * to its id, which is `md5` of that key in the mirror (migration 0015).
 */
export function mapHealthcareService(input: unknown): Mapped<ServiceRows> {
  const { id, active, resource } = header(input, 'HealthcareService');
  if (!active) return { gone: { key: id } };
  const providedBy = isObject(resource.providedBy) ? resource.providedBy : null;
  const finess =
    isObject(providedBy?.identifier) && providedBy.identifier.system === identifierSystem.finess
      ? text(providedBy.identifier.value)
      : null;
  const organizationRef = text(providedBy?.reference)?.startsWith('Organization/')
    ? referenceId(providedBy)
    : null;
  if (!finess && !organizationRef)
    throw new SyncFormatError(`HealthcareService/${id} sans établissement (providedBy).`);
  const discipline = codingOf(array(resource.type), codeSystem.disciplineEquipementSocial);
  const activite = codingOf(array(resource.characteristic), codeSystem.typeActivite);
  const clientele = codingOf(
    array(resource.eligibility).map((e) => e.code),
    codeSystem.clientele,
  );
  const authorization = extensionParts(resource, extension.equipmentAuthorization);
  const installation = extensionParts(resource, extension.equipmentInstallation);
  const capacity = extensionParts(resource, extension.supportedCapacity);
  const patients = extensionParts(resource, extension.patientType);
  const [ageMinAutorise, ageMaxAutorise] = ageBounds(patients.get('authorizedAgeRange'));
  const [ageMinInstalle, ageMaxInstalle] = ageBounds(patients.get('installedAgeRange'));
  const equipment: Row = {
    ...coded('discipline', discipline),
    ...coded('activite', activite),
    ...coded('clientele', clientele),
    capacite_installee: integerText(capacity.get('installedCapacity')?.valueInteger),
    capacite_autorisee: integerText(capacity.get('capacityAvailable')?.valueInteger),
    installation_supprimee: flag(installation.get('deletedInstallation')?.valueBoolean),
    autorisation_supprimee: flag(authorization.get('deletedAuthorization')?.valueBoolean),
    date_autorisation: text(authorization.get('dateAuthorization')?.valueDate),
    age_min_autorise: ageMinAutorise,
    age_max_autorise: ageMaxAutorise,
    age_min_installe: ageMinInstalle,
    age_max_installe: ageMaxInstalle,
  };
  return { equipment, finess, organizationRef };
}

/** The equipment row of a site, keyed as the FINESS file keys it (site, discipline, activité, clientèle). */
export function keyedEquipment(equipment: Row, finess: string): Row {
  const row: Row = { ...equipment, finess };
  return { ...row, key: equipmentKey((column) => (row[column] ?? null) as string | null) };
}
