import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/connect.ts';

/** What a token may do; each route names the one scope it needs. */
export const apiScopes = {
  'audit:read': 'Lire le journal d’audit',
  'audit:write': 'Inscrire au journal d’audit les actions faites dans le logiciel client',
  'directory:read': 'Rechercher dans l’annuaire (API REST)',
  'identity:read': 'Consulter les identités des usagers',
  'identity:write': 'Enregistrer et qualifier les identités des usagers',
  'readiness:read': 'Consulter les prérequis Ségur des établissements (contrats, personnel, certificats)',
  'readiness:write': 'Renseigner les prérequis Ségur : organisme, contrats, profils, personnel, certificats',
  'clients:read': 'Consulter les DUI qui délèguent leur connexion à Confiance',
  'clients:write': 'Enregistrer et retirer les DUI qui délèguent leur connexion à Confiance',
} as const;
export type ApiScope = keyof typeof apiScopes;

export interface ApiClient {
  id: string;
  name: string;
  scopes: ApiScope[];
  /** The holder's idNat_PS, for a personal token. */
  idNat: string | null;
}

export interface ApiTokenInfo extends ApiClient {
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export class ApiTokenError extends Error {
  override name = 'ApiTokenError';
}

const tokenPattern = /^cft_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function isApiScope(value: string): value is ApiScope {
  return Object.hasOwn(apiScopes, value);
}

/** Creates a token and returns it once: only its hash is stored. */
export async function createApiToken(
  database: Database,
  input: { name: string; scopes: readonly string[]; idNat?: string | null },
): Promise<{ id: string; token: string }> {
  if (input.idNat && !/^[08]\d{9,11}$/.test(input.idNat))
    throw new ApiTokenError(`idNat_PS invalide : « ${input.idNat} » (0 + ADELI ou 8 + RPPS attendu).`);
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100)
    throw new ApiTokenError('Le nom du jeton doit contenir de 1 à 100 caractères.');
  const unknown = input.scopes.filter((s) => !isApiScope(s));
  if (unknown.length > 0 || input.scopes.length === 0)
    throw new ApiTokenError(
      `Droits inconnus : ${unknown.join(', ') || '(aucun)'}. Droits possibles : ${Object.keys(apiScopes).join(', ')}.`,
    );
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await database.db
    .insertInto('api_token')
    .values({
      id,
      name,
      scopes: [...new Set(input.scopes)],
      secret_sha256: sha256(secret),
      id_nat: input.idNat ?? null,
    })
    .execute();
  return { id, token: `cft_${id}_${secret}` };
}

export async function listApiTokens(database: Database): Promise<ApiTokenInfo[]> {
  const rows = await database.db.selectFrom('api_token').selectAll().orderBy('created_at').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scopes: r.scopes.filter(isApiScope),
    idNat: r.id_nat,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

/** Returns false when no active token has this id. */
export async function revokeApiToken(database: Database, id: string): Promise<boolean> {
  const result = await database.db
    .updateTable('api_token')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The client behind a presented token, or null: unknown, malformed, revoked and wrong secrets look alike. */
export async function authenticateApiToken(database: Database, presented: string): Promise<ApiClient | null> {
  const match = tokenPattern.exec(presented);
  if (!match?.[1] || !match[2]) return null;
  const row = await database.db
    .selectFrom('api_token')
    .selectAll()
    .where('id', '=', match[1])
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const expected = Buffer.from(row.secret_sha256, 'hex');
  const actual = Buffer.from(sha256(match[2]), 'hex');
  if (!timingSafeEqual(expected, actual)) return null;
  await database.db
    .updateTable('api_token')
    .set({ last_used_at: new Date() })
    .where('id', '=', row.id)
    .execute();
  return { id: row.id, name: row.name, scopes: row.scopes.filter(isApiScope), idNat: row.id_nat };
}

/** Whether a token is still valid (not revoked): a console session opened with it ends with it. */
export async function tokenStillActive(database: Database, id: string): Promise<boolean> {
  const row = await database.db
    .selectFrom('api_token')
    .select('id')
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
