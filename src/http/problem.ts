import type { FastifyError } from 'fastify';
import { Type } from 'typebox';

/** An error a route throws on purpose: its status, title and detail go to the client as they are. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

/** RFC 9457 problem details, with French title and detail. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId: string;
  invalidParams?: Array<{ name: string; in: string; reason: string }>;
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Requête invalide',
  401: 'Authentification requise',
  403: 'Accès refusé',
  404: 'Ressource introuvable',
  405: 'Méthode non autorisée',
  406: 'Format de réponse non disponible',
  409: 'Conflit',
  413: 'Contenu trop volumineux',
  414: 'Adresse trop longue',
  415: 'Type de contenu non pris en charge',
  422: 'Contenu invalide',
  429: 'Trop de requêtes',
  431: 'En-têtes trop volumineux',
  500: 'Erreur interne',
  503: 'Service indisponible',
};

export function titleFor(status: number): string {
  return titles[status] ?? (status >= 500 ? 'Erreur interne' : 'Requête refusée');
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

const places: Record<string, string> = {
  querystring: 'query',
  body: 'body',
  params: 'path',
  headers: 'header',
};

const typeNames: Record<string, string> = {
  integer: 'un entier',
  number: 'un nombre',
  string: 'une chaîne de caractères',
  boolean: 'un booléen (true ou false)',
  object: 'un objet JSON',
  array: 'une liste',
  null: 'null',
};

const formatNames: Record<string, string> = {
  'date-time': 'date et heure ISO 8601 (2026-01-31T08:00:00Z)',
  date: 'date ISO 8601 (2026-01-31)',
  uri: 'URI absolue',
  email: 'adresse électronique',
  uuid: 'UUID',
};

/** Turns one schema violation into a French reason naming the parameter. */
export function describeViolation(
  error: AjvError,
  context: string,
): { name: string; in: string; reason: string } {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const p = error.params;
  let name = path;
  let reason: string;
  switch (error.keyword) {
    case 'required':
      name = [path, String(p.missingProperty)].filter(Boolean).join('.');
      reason = 'est obligatoire';
      break;
    case 'additionalProperties':
      name = [path, String(p.additionalProperty)].filter(Boolean).join('.');
      reason = 'n’est pas un paramètre reconnu';
      break;
    case 'type':
      reason = `doit être ${String(p.type)
        .split(',')
        .map((t) => typeNames[t] ?? t)
        .join(' ou ')}`;
      break;
    case 'minimum':
    case 'exclusiveMinimum':
      reason = `doit être ${error.keyword === 'minimum' ? '≥' : '>'} ${String(p.limit)}`;
      break;
    case 'maximum':
    case 'exclusiveMaximum':
      reason = `doit être ${error.keyword === 'maximum' ? '≤' : '<'} ${String(p.limit)}`;
      break;
    case 'minLength':
      reason = `doit contenir au moins ${String(p.limit)} caractère(s)`;
      break;
    case 'maxLength':
      reason = `doit contenir au plus ${String(p.limit)} caractères`;
      break;
    case 'pattern':
      reason = 'n’a pas la forme attendue';
      break;
    case 'format':
      reason = `doit être au format ${formatNames[String(p.format)] ?? String(p.format)}`;
      break;
    case 'enum':
      reason = `doit valoir ${(p.allowedValues as unknown[]).map((v) => String(v)).join(', ')}`;
      break;
    default:
      reason = 'n’a pas une valeur acceptée';
  }
  return { name: name || '(corps)', in: places[context] ?? context, reason };
}

const contentErrors: Record<string, { status: number; detail: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    detail: 'Ce type de contenu n’est pas accepté : envoyez du JSON (Content-Type: application/json).',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, detail: 'Le corps de la requête dépasse la taille autorisée.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, detail: 'Le corps de la requête n’est pas un JSON valide.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    detail: 'Le corps de la requête est vide alors que Content-Type annonce du JSON.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    detail: 'L’en-tête Content-Length ne correspond pas au corps reçu.',
  },
  FST_ERR_BAD_URL: { status: 400, detail: 'L’adresse demandée est mal formée.' },
  FST_ERR_ASYNC_CONSTRAINT: {
    status: 400,
    detail: 'La requête ne respecte pas les contraintes de la route.',
  },
};

/** Maps any error to the problem sent to the client; 5xx never carry the original message. */
export function toProblem(
  error: FastifyError | HttpProblem | Error,
  requestId: string,
  instance: string,
): Problem {
  const base = { requestId, instance };
  if (error instanceof HttpProblem)
    return {
      type: 'about:blank',
      title: error.title,
      status: error.status,
      detail: error.detail,
      ...base,
      ...error.extra,
    };
  const fe = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation) {
    const invalidParams = fe.validation.map((v) => describeViolation(v, fe.validationContext ?? 'body'));
    return {
      type: 'about:blank',
      title: titleFor(400),
      status: 400,
      detail: invalidParams.map((p) => `« ${p.name} » (${p.in}) ${p.reason}`).join(' ; '),
      ...base,
      invalidParams,
    };
  }
  const known = fe.code ? contentErrors[fe.code] : undefined;
  if (known)
    return {
      type: 'about:blank',
      title: titleFor(known.status),
      status: known.status,
      detail: known.detail,
      ...base,
    };
  if (fe.statusCode === 429)
    return {
      type: 'about:blank',
      title: titleFor(429),
      status: 429,
      detail:
        'Trop de requêtes depuis cette adresse : réessayez après le délai indiqué par l’en-tête Retry-After.',
      ...base,
    };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)
    return {
      type: 'about:blank',
      title: titleFor(fe.statusCode),
      status: fe.statusCode,
      detail: 'La requête a été refusée.',
      ...base,
    };
  return {
    type: 'about:blank',
    title: titleFor(500),
    status: 500,
    detail: 'Une erreur inattendue est survenue. Elle a été journalisée avec l’identifiant de requête.',
    ...base,
  };
}

const ProblemSchema = (description: string) =>
  Type.Object(
    {
      type: Type.String(),
      title: Type.String(),
      status: Type.Integer(),
      detail: Type.String(),
      instance: Type.Optional(Type.String()),
      requestId: Type.String(),
      invalidParams: Type.Optional(
        Type.Array(Type.Object({ name: Type.String(), in: Type.String(), reason: Type.String() })),
      ),
    },
    { description },
  );

/** Documents the problem+json answers of a route in its OpenAPI schema. */
export function problemResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'Paramètre ou corps invalide (`invalidParams` nomme chacun)',
    401: 'Jeton absent ou invalide',
    403: 'Jeton sans le droit requis',
    413: 'Corps trop volumineux',
    415: 'Type de contenu non accepté',
    422: 'Contenu refusé par les règles métier',
    429: 'Limite de requêtes atteinte (voir `Retry-After`)',
  };
  return Object.fromEntries(statuses.map((s) => [s, ProblemSchema(descriptions[s] ?? titleFor(s))]));
}
