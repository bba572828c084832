/**
 * The four RNIV statuses of an usager's identity, on two axes: recovered through INSi (or not) and checked on a
 * high-trust document (or not). PROV has neither, RECUP the first, VALI the second, QUAL both; the Application
 * carte Vitale gives QUAL at once. An identity marked doubtful or fictitious never stays VALI or QUAL.
 * Sources: `shared/research/ins-dmp-mss-igc.md` §1.5 (FR Core code systems, RNIV).
 */
export const statuses = ['PROV', 'RECUP', 'VALI', 'QUAL'] as const;
export type Status = (typeof statuses)[number];

/** High-trust documents (`fr-core-cs-mode-validation-identity`). */
export const validationModes = {
  CN: 'Carte nationale d’identité',
  PA: 'Passeport',
  CS: 'Titre de séjour permanent',
  eCN: 'Carte nationale d’identité électronique',
  IN: 'Identité Numérique La Poste',
  AV: 'Application carte Vitale',
  LECV: 'Livret de famille et carte Vitale avec photo',
  AN: 'Extrait d’acte de naissance',
  LEP: 'Livret de famille des parents',
  CC: 'Carnet de circulation (étranger mineur)',
  ANCV: 'Acte de naissance et carte Vitale avec photo',
} as const;
export type ValidationMode = keyof typeof validationModes;

/** How the traits were collected (`methodCollection`). */
export const collectionMethods = {
  SM: 'Saisie manuelle',
  CV: 'Carte Vitale',
  INSI: 'Téléservice INSi (traits)',
  CB: 'Datamatrix INS',
  AV: 'Application carte Vitale',
} as const;
export type CollectionMethod = keyof typeof collectionMethods;

/** RNIV attributes: doubtful, fictitious, proven homonym. */
export const attributes = {
  DOUT: 'Identité douteuse',
  FICT: 'Identité fictive',
  HOMA: 'Homonyme avéré',
} as const;
export type Attribute = keyof typeof attributes;

export interface DocumentCheck {
  mode: ValidationMode;
  /** idNat_PS (or account id) of who checked the document. */
  checkedBy: string;
  checkedAt: string;
}

export interface IdentityState {
  status: Status;
  method: CollectionMethod;
  attributes: Attribute[];
  document: DocumentCheck | null;
  /** When INSi last returned this identity's INS with matching traits. */
  insiAt: string | null;
}

export type IdentityEvent =
  | { type: 'document-checked'; mode: ValidationMode; by: string; at: string }
  | { type: 'insi-retrieved'; at: string; method: 'INSI' | 'CV'; traitsMatch: boolean }
  | { type: 'appli-carte-vitale'; at: string; by: string }
  | { type: 'attribute-set'; attribute: Attribute }
  | { type: 'attribute-cleared'; attribute: Attribute }
  | { type: 'document-withdrawn' };

export type Transition =
  | { ok: true; state: IdentityState; changed: boolean; reason: string }
  | { ok: false; state: IdentityState; reason: string };

export function initialState(method: CollectionMethod = 'SM'): IdentityState {
  return { status: 'PROV', method, attributes: [], document: null, insiAt: null };
}

const blocking = (s: IdentityState) => s.attributes.filter((a) => a === 'DOUT' || a === 'FICT');

/** The status the two axes give, held back to PROV/RECUP while the identity is doubtful or fictitious. */
function statusOf(s: Omit<IdentityState, 'status'>): Status {
  const recovered = s.insiAt !== null;
  const checked = s.document !== null && blocking({ ...s, status: 'PROV' }).length === 0;
  return recovered ? (checked ? 'QUAL' : 'RECUP') : checked ? 'VALI' : 'PROV';
}

function settle(before: IdentityState, next: Omit<IdentityState, 'status'>, reason: string): Transition {
  const state = { ...next, status: statusOf(next) };
  const changed = JSON.stringify(state) !== JSON.stringify(before);
  return { ok: true, state, changed, reason };
}

/** Applies one event; a refusal leaves the state as it was and says why, in French. */
export function transition(state: IdentityState, event: IdentityEvent): Transition {
  switch (event.type) {
    case 'document-checked': {
      if (event.mode === 'AV')
        return {
          ok: false,
          state,
          reason: 'L’Application carte Vitale se déclare par son propre événement.',
        };
      const held = blocking(state);
      if (held.length > 0)
        return {
          ok: false,
          state,
          reason: `Identité ${held.map((a) => attributes[a].toLowerCase()).join(' et ')} : elle ne peut pas être validée sur pièce tant que l’attribut est posé.`,
        };
      return settle(
        state,
        { ...state, document: { mode: event.mode, checkedBy: event.by, checkedAt: event.at } },
        `Identité contrôlée sur ${validationModes[event.mode].toLowerCase()}.`,
      );
    }
    case 'insi-retrieved':
      if (!event.traitsMatch)
        return {
          ok: false,
          state,
          reason:
            'Les traits renvoyés par INSi diffèrent des traits locaux : à vérifier avant toute récupération de l’INS.',
        };
      return settle(
        state,
        { ...state, insiAt: event.at, method: state.method === 'SM' ? event.method : state.method },
        'INS récupéré par le téléservice INSi, traits concordants.',
      );
    case 'appli-carte-vitale': {
      const held = blocking(state);
      if (held.length > 0)
        return {
          ok: false,
          state,
          reason: 'Identité douteuse ou fictive : l’Application carte Vitale ne peut la qualifier.',
        };
      return settle(
        state,
        {
          ...state,
          method: 'AV',
          insiAt: event.at,
          document: { mode: 'AV', checkedBy: event.by, checkedAt: event.at },
        },
        'Identité qualifiée par l’Application carte Vitale.',
      );
    }
    case 'attribute-set':
      if (state.attributes.includes(event.attribute))
        return { ok: true, state, changed: false, reason: `${attributes[event.attribute]} : déjà posé.` };
      // A doubt withdraws the document check: once lifted, the identity is checked again, not restored.
      return settle(
        state,
        {
          ...state,
          attributes: [...state.attributes, event.attribute].sort(),
          document: event.attribute === 'HOMA' ? state.document : null,
        },
        `${attributes[event.attribute]} : attribut posé.`,
      );
    case 'attribute-cleared':
      return settle(
        state,
        { ...state, attributes: state.attributes.filter((a) => a !== event.attribute) },
        `${attributes[event.attribute]} : attribut levé.`,
      );
    case 'document-withdrawn':
      return settle(state, { ...state, document: null }, 'Contrôle sur pièce retiré.');
  }
}

/** Only a qualified identity may carry its matricule INS in exchanges and feed the DMP. */
export const mayShareIns = (state: IdentityState) => state.status === 'QUAL';
