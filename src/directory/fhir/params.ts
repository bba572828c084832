import { type DatePrefix, parseDateRange } from './dates.ts';
import { FhirError } from './errors.ts';

export const resourceTypes = [
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'HealthcareService',
] as const;
export type ResourceType = (typeof resourceTypes)[number];

type ParamType = 'token' | 'string' | 'date' | 'reference';
type StringMatch = 'prefix' | 'contains' | 'exact';

export interface ParamDefinition {
  type: ParamType;
  /** French text for the CapabilityStatement. */
  documentation: string;
  /** Parameters the national API does not offer (answers to its users' requests). */
  extra?: true;
}

const common: Record<string, ParamDefinition> = {
  _id: { type: 'token', documentation: 'Identifiant technique de la ressource.' },
  _lastUpdated: {
    type: 'date',
    documentation:
      'Date de dernière modification (préfixes gt, ge, eq) : sert aux synchronisations par delta.',
  },
  active: {
    type: 'token',
    documentation: 'true ou false ; les ressources désactivées ne gardent que leurs identifiants.',
  },
};

export const searchParameters: Record<ResourceType, Record<string, ParamDefinition>> = {
  Practitioner: {
    ...common,
    identifier: { type: 'token', documentation: 'Numéro RPPS, ADELI ou idNat_PS (système facultatif).' },
    'identifier-type': { type: 'token', documentation: 'Type d’identifiant : RPPS, ADELI ou IDNPS.' },
    name: { type: 'string', documentation: 'Nom ou prénom d’exercice (début, sans accents ni casse).' },
    family: { type: 'string', documentation: 'Nom d’exercice.' },
    given: { type: 'string', documentation: 'Prénom d’exercice.' },
    'mailbox-mss': { type: 'string', documentation: 'Adresse de messagerie sécurisée de santé.' },
    'qualification-code': {
      type: 'token',
      documentation: 'Profession (TRE_G15), catégorie (TRE_R09), savoir-faire ou diplôme.',
    },
    profession: {
      type: 'token',
      documentation: 'Profession (TRE_G15), par ses situations d’exercice.',
      extra: true,
    },
    specialty: {
      type: 'token',
      documentation: 'Savoir-faire, dont spécialité ordinale (TRE_R38).',
      extra: true,
    },
    'address-postalcode': {
      type: 'string',
      documentation: 'Code postal d’une situation d’exercice (début : « 75 » pour Paris).',
      extra: true,
    },
    'address-city': { type: 'string', documentation: 'Commune d’une situation d’exercice.', extra: true },
    'address-department': {
      type: 'token',
      documentation: 'Département d’une situation d’exercice (code : 75, 2A, 971…).',
      extra: true,
    },
  },
  PractitionerRole: {
    ...common,
    identifier: { type: 'token', documentation: 'Identifiant de la situation d’exercice.' },
    practitioner: { type: 'reference', documentation: 'Le professionnel (Practitioner/idNat_PS).' },
    organization: { type: 'reference', documentation: 'La structure FINESS (Organization/numéro FINESS).' },
    'organization.identifier': {
      type: 'token',
      documentation:
        'Identifiant de la structure : FINESS, SIRET ou idNat_Struct (recherche chaînée, paginée).',
    },
    role: {
      type: 'token',
      documentation: 'Fonction (TRE_R21), genre d’activité (TRE_R22) ou mode d’exercice (TRE_R23).',
    },
    'mailbox-mss': { type: 'string', documentation: 'Adresse de messagerie sécurisée de santé.' },
    'address-postalcode': { type: 'string', documentation: 'Code postal de la structure.', extra: true },
    'address-city': { type: 'string', documentation: 'Commune de la structure.', extra: true },
  },
  Organization: {
    ...common,
    identifier: { type: 'token', documentation: 'Numéro FINESS, SIRET ou idNat_Struct.' },
    'identifier-type': { type: 'token', documentation: 'Type d’identifiant : FINEG, SIRET ou IDNST.' },
    name: { type: 'string', documentation: 'Raison sociale (début, sans accents ni casse).' },
    'address-postalcode': {
      type: 'string',
      documentation: 'Code postal (début : « 78 » pour les Yvelines).',
    },
    'address-city': { type: 'string', documentation: 'Commune.' },
    'address-line': {
      type: 'string',
      documentation:
        'Début d’une ligne d’adresse (« 12 rue de la », sans accents ni casse ; :contains pour un mot de la ligne).',
    },
    address: {
      type: 'string',
      documentation: 'Une ligne d’adresse, la commune, le code postal ou le département.',
    },
    type: { type: 'token', documentation: 'Catégorie d’établissement (TRE_R66) ou GEOGRAPHICAL-ENTITY.' },
    partof: { type: 'reference', documentation: 'Entité juridique de rattachement (numéro FINESS EJ).' },
    'mailbox-mss': { type: 'string', documentation: 'Adresse de messagerie sécurisée de santé.' },
  },
  HealthcareService: {
    ...common,
    _profile: {
      type: 'token',
      documentation:
        'Profil : ce serveur ne sert que les équipements sociaux (as-dp-healthcareservice-social-equipment).',
    },
    organization: {
      type: 'reference',
      documentation: 'L’établissement qui porte l’équipement social (Organization/numéro FINESS).',
    },
    'service-type': {
      type: 'token',
      documentation:
        'Discipline d’équipement social (TRE_R280), par exemple 924 (accueil pour personnes âgées).',
    },
    characteristic: {
      type: 'token',
      documentation:
        'Type d’activité, ou mode de fonctionnement (TRE_R209), par exemple 11 (hébergement complet).',
    },
    eligibility: {
      type: 'token',
      documentation: 'Clientèle (TRE_R279), par exemple 711 (personnes âgées dépendantes).',
      extra: true,
    },
  },
};

export const includes: Record<ResourceType, { include: readonly string[]; revinclude: readonly string[] }> = {
  Practitioner: { include: [], revinclude: ['PractitionerRole:practitioner'] },
  PractitionerRole: {
    include: ['PractitionerRole:practitioner', 'PractitionerRole:organization', 'PractitionerRole:*'],
    revinclude: [],
  },
  Organization: {
    include: ['Organization:partof', 'Organization:*'],
    revinclude: ['PractitionerRole:organization', 'HealthcareService:organization'],
  },
  HealthcareService: {
    include: ['HealthcareService:organization', 'HealthcareService:*'],
    revinclude: [],
  },
};

export const elementNames: Record<ResourceType, readonly string[]> = {
  Practitioner: ['identifier', 'active', 'name', 'telecom', 'qualification', 'extension'],
  PractitionerRole: ['identifier', 'active', 'practitioner', 'organization', 'code', 'telecom', 'extension'],
  Organization: [
    'identifier',
    'active',
    'type',
    'name',
    'alias',
    'telecom',
    'address',
    'partOf',
    'extension',
  ],
  HealthcareService: ['active', 'providedBy', 'type', 'characteristic', 'eligibility', 'extension'],
};

export interface Token {
  system?: string;
  code?: string;
}

export type Filter =
  | { type: 'token'; name: string; values: Token[] }
  | { type: 'string'; name: string; match: StringMatch; values: string[] }
  | { type: 'date'; name: string; prefix: DatePrefix; from: Date; to: Date }
  | { type: 'reference'; name: string; values: string[] };

export type TotalMode = 'none' | 'estimate' | 'accurate';

export interface SearchRequest {
  resourceType: ResourceType;
  filters: Filter[];
  include: string[];
  revinclude: string[];
  count: number;
  total: TotalMode;
  elements: string[] | null;
  page: string | null;
}

export const defaultCount = 50;
export const maxCount = 1000;
const maxValueLength = 256;
const idPattern = /^[A-Za-z0-9.-]{1,64}$/;
const controls = /\p{Cc}/u;

export type Query = Record<string, string | string[] | undefined>;

const invalid = (parameter: string, message: string) => new FhirError(400, 'invalid', message, parameter);

/** Splits on unescaped `sep`; `\,` `\|` `\\` are the FHIR escapes. */
function splitEscaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (c === sep) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

function cleanValue(parameter: string, raw: string): string {
  if (raw.length > maxValueLength)
    throw invalid(parameter, `Valeur trop longue (${raw.length} caractères, au plus ${maxValueLength}).`);
  if (controls.test(raw)) throw invalid(parameter, 'La valeur contient des caractères de contrôle.');
  if (raw.includes('\uFFFD')) throw invalid(parameter, 'La valeur n’est pas de l’UTF-8 valide.');
  return raw.normalize('NFC');
}

function parseToken(parameter: string, raw: string): Token[] {
  return splitTop(raw).map((part) => {
    const pieces = splitFirstPipe(part);
    if (pieces.length === 1) {
      const code = pieces[0] ?? '';
      if (code === '') throw invalid(parameter, 'Valeur vide.');
      return { code };
    }
    const [system = '', code = ''] = pieces;
    if (system === '' && code === '') throw invalid(parameter, 'Valeur vide.');
    return { ...(system && { system }), ...(code && { code }) };
  });
}

/** Comma-separated alternatives, escapes kept for a second split on `|`. */
function splitTop(raw: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      current += c + raw[++i];
    } else if (c === ',') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

const unescapeFhir = (s: string) => s.replace(/\\(.)/g, '$1');

function splitFirstPipe(part: string): string[] {
  for (let i = 0; i < part.length; i++) {
    if (part[i] === '\\') i++;
    else if (part[i] === '|') return [unescapeFhir(part.slice(0, i)), unescapeFhir(part.slice(i + 1))];
  }
  return [unescapeFhir(part)];
}

function parseReference(parameter: string, raw: string, target: ResourceType): string[] {
  return splitEscaped(raw, ',').map((value) => {
    const slash = value.lastIndexOf('/');
    const id = slash === -1 ? value : value.slice(slash + 1);
    const type = slash === -1 ? target : value.slice(0, slash).split('/').pop();
    if (type !== target) throw invalid(parameter, `Référence attendue vers ${target} : « ${value} ».`);
    if (!idPattern.test(id)) throw invalid(parameter, `Identifiant de ressource invalide : « ${id} ».`);
    return id;
  });
}

const referenceTargets: Record<string, ResourceType> = {
  practitioner: 'Practitioner',
  organization: 'Organization',
  partof: 'Organization',
};

function parseInteger(parameter: string, raw: string, max: number): number {
  if (!/^\d{1,7}$/.test(raw)) throw invalid(parameter, `Nombre entier attendu : « ${raw} ».`);
  const n = Number(raw);
  if (n > max) throw invalid(parameter, `Au plus ${max} résultats par page (demandé : ${n}).`);
  return n;
}

function single(parameter: string, value: string | string[]): string {
  if (Array.isArray(value)) {
    if (value.length !== 1) throw invalid(parameter, 'Ce paramètre ne peut être donné qu’une fois.');
    return value[0] ?? '';
  }
  return value;
}

/**
 * Turns a search's query string into a typed request, or a 400 naming the parameter: unknown parameters, unknown
 * modifiers, malformed values, unsupported prefixes and `_include` pairs are refused rather than ignored, so a
 * client never mistakes an ignored filter for an empty result.
 */
export function parseSearch(resourceType: ResourceType, query: Query): SearchRequest {
  const definitions = searchParameters[resourceType];
  const request: SearchRequest = {
    resourceType,
    filters: [],
    include: [],
    revinclude: [],
    count: defaultCount,
    total: 'estimate',
    elements: null,
    page: null,
  };
  for (const [key, rawValue] of Object.entries(query)) {
    if (rawValue === undefined) continue;
    const values = (Array.isArray(rawValue) ? rawValue : [rawValue]).map((v) => cleanValue(key, v));
    switch (key) {
      case '_count':
        request.count = parseInteger(key, single(key, values), maxCount);
        continue;
      case '_total': {
        const mode = single(key, values);
        if (mode !== 'none' && mode !== 'estimate' && mode !== 'accurate')
          throw invalid(key, `Valeurs possibles : none, estimate, accurate (reçu « ${mode} »).`);
        request.total = mode;
        continue;
      }
      case '_elements': {
        const names = single(key, values)
          .split(',')
          .map((s) => s.trim());
        for (const name of names)
          if (!elementNames[resourceType].includes(name))
            throw invalid(key, `Élément inconnu pour ${resourceType} : « ${name} ».`);
        request.elements = names;
        continue;
      }
      case '_page': {
        const token = single(key, values);
        if (!/^[A-Za-z0-9_-]{1,2000}$/.test(token)) throw invalid(key, 'Jeton de page invalide.');
        request.page = token;
        continue;
      }
      case '_format': {
        const format = single(key, values);
        if (!['json', 'application/json', 'application/fhir+json'].includes(format))
          throw new FhirError(
            406,
            'not-supported',
            `Seul le format JSON est disponible (reçu « ${format} »).`,
            key,
          );
        continue;
      }
      case '_include':
      case '_revinclude': {
        const allowed = includes[resourceType][key === '_include' ? 'include' : 'revinclude'];
        for (const value of values) {
          if (!allowed.includes(value))
            throw invalid(
              key,
              allowed.length === 0
                ? `${key} n’est pas disponible sur ${resourceType}.`
                : `Valeur non prise en charge « ${value} » (possibles : ${allowed.join(', ')}).`,
            );
          request[key === '_include' ? 'include' : 'revinclude'].push(value);
        }
        continue;
      }
    }
    const colon = key.indexOf(':');
    const name = colon === -1 ? key : key.slice(0, colon);
    const modifier = colon === -1 ? null : key.slice(colon + 1);
    const definition = definitions[name];
    if (!definition)
      throw new FhirError(
        400,
        'not-supported',
        `Paramètre de recherche inconnu pour ${resourceType} : « ${name} ». Paramètres possibles : ${Object.keys(definitions).join(', ')}.`,
        key,
      );
    for (const value of values)
      request.filters.push(parseFilter(key, name, modifier, definition, value, resourceType));
  }
  return request;
}

function parseFilter(
  key: string,
  name: string,
  modifier: string | null,
  definition: ParamDefinition,
  value: string,
  resourceType: ResourceType,
): Filter {
  if (value === '') throw invalid(key, 'Valeur vide.');
  switch (definition.type) {
    case 'string': {
      if (modifier !== null && modifier !== 'contains' && modifier !== 'exact')
        throw invalid(
          key,
          `Modificateur « :${modifier} » non pris en charge (possibles : :contains, :exact).`,
        );
      const values = splitEscaped(value, ',');
      if (values.some((v) => v.trim() === '')) throw invalid(key, 'Valeur vide.');
      return { type: 'string', name, match: modifier ?? 'prefix', values };
    }
    case 'token': {
      if (modifier !== null) throw invalid(key, `Modificateur « :${modifier} » non pris en charge.`);
      const values = parseToken(key, value);
      if (name === 'active')
        for (const v of values)
          if (v.system || (v.code !== 'true' && v.code !== 'false'))
            throw invalid(key, 'Valeurs possibles : true ou false.');
      if (name === '_id')
        for (const v of values)
          if (v.system || !idPattern.test(v.code ?? ''))
            throw invalid(key, `Identifiant invalide : « ${value} ».`);
      return { type: 'token', name, values };
    }
    case 'reference': {
      if (modifier !== null) throw invalid(key, `Modificateur « :${modifier} » non pris en charge.`);
      const target = referenceTargets[name] ?? resourceType;
      return { type: 'reference', name, values: parseReference(key, value, target) };
    }
    case 'date': {
      if (modifier !== null) throw invalid(key, `Modificateur « :${modifier} » non pris en charge.`);
      const prefixed = /^[a-z]{2}/.test(value) ? value.slice(0, 2) : null;
      const prefix = prefixed ?? 'eq';
      if (prefix !== 'gt' && prefix !== 'ge' && prefix !== 'eq')
        throw invalid(key, `Préfixe « ${prefix} » non pris en charge : gt, ge ou eq.`);
      const range = parseDateRange(prefixed ? value.slice(2) : value, key);
      return { type: 'date', name, prefix, ...range };
    }
  }
}
