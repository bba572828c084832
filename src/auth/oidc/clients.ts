import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { appendEvent } from '../../audit/append.ts';
import type { Database } from '../../db/connect.ts';
import type { ServiceProfile } from '../policy/sensitive.ts';

/** A DUI registered with the hub: its OAuth metadata and what it is for the RIE rules. */
export interface ClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  auth: { method: 'client_secret_basic' } | { method: 'private_key_jwt'; jwksUri: string };
  profile: ServiceProfile;
  /** FINESS of the EG or EJ the DUI serves: its situation d'exercice is pre-selected at login. */
  structureFiness?: string | null;
}

export interface RegisteredClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  authMethod: string;
  profile: ServiceProfile;
  structureFiness: string | null;
  createdAt: Date;
}

export class ClientError extends Error {
  override name = 'ClientError';
}

/** https, or http on the loopback for development; no fragment, no credentials (RFC 6749 §3.1.2). */
export function redirectUriProblem(uri: string): string | null {
  if (!URL.canParse(uri)) return `« ${uri} » n’est pas une URL absolue`;
  const u = new URL(uri);
  if (u.hash) return `« ${uri} » ne doit pas contenir de fragment (#)`;
  if (u.username || u.password) return `« ${uri} » ne doit pas contenir d’identifiants`;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback))
    return `« ${uri} » doit être en https (http seulement sur la boucle locale)`;
  return null;
}

export async function addClient(
  database: Database,
  input: ClientInput,
  actorId: string,
): Promise<{ clientId: string; clientSecret: string | null }> {
  const problems: string[] = [];
  if (!input.name.trim()) problems.push('nom manquant');
  if (input.redirectUris.length === 0) problems.push('au moins une URL de retour est requise');
  for (const u of [...input.redirectUris, ...input.postLogoutRedirectUris]) {
    const p = redirectUriProblem(u);
    if (p) problems.push(p);
  }
  if (input.backchannelLogoutUri) {
    const p = redirectUriProblem(input.backchannelLogoutUri);
    if (p) problems.push(p);
  }
  const structure = input.structureFiness?.trim() || null;
  if (structure && !/^[0-9][0-9AB][0-9]{7}$/.test(structure))
    problems.push(`FINESS « ${structure} » invalide (9 caractères)`);
  if (input.auth.method === 'private_key_jwt') {
    const p = redirectUriProblem(input.auth.jwksUri);
    if (p) problems.push(`jwks_uri : ${p}`);
  }
  if (problems.length > 0) throw new ClientError(`Client refusé : ${problems.join(' ; ')}.`);
  const clientId = `dui_${randomBytes(9).toString('base64url')}`;
  const clientSecret =
    input.auth.method === 'client_secret_basic' ? randomBytes(32).toString('base64url') : null;
  const metadata = {
    client_id: clientId,
    client_name: input.name.trim(),
    redirect_uris: input.redirectUris,
    post_logout_redirect_uris: input.postLogoutRedirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile professionnel usager aidant',
    token_endpoint_auth_method: input.auth.method,
    ...(clientSecret ? { client_secret: clientSecret } : {}),
    ...(input.auth.method === 'private_key_jwt' ? { jwks_uri: input.auth.jwksUri } : {}),
    ...(input.backchannelLogoutUri
      ? { backchannel_logout_uri: input.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
  };
  await sql`insert into oidc_client (client_id, name, metadata, profile, structure_finess)
    values (${clientId}, ${input.name.trim()}, ${JSON.stringify(metadata)}::jsonb, ${JSON.stringify(input.profile)}::jsonb,
      ${structure})`.execute(database.db);
  await appendEvent(database, {
    action: 'oidc.client.add',
    outcome: 'success',
    actor: { kind: 'system', id: actorId },
    subject: { type: 'client', id: clientId },
    details: { method: input.auth.method, redirects: input.redirectUris.length, structure },
  });
  return { clientId, clientSecret };
}

/**
 * A structure's software (personne morale): client credentials over mutual TLS with its IGC Santé certificate,
 * whose OU must be the structure's idNat_Struct; its tokens are bound to the certificate (RFC 8705) and only
 * allow feeding documents.
 */
export async function addStructureClient(
  database: Database,
  input: { name: string; idNatStruct: string },
  actorId: string,
): Promise<{ clientId: string }> {
  const problems: string[] = [];
  if (!input.name.trim()) problems.push('nom manquant');
  if (!/^(1[0-9][0-9AB][0-9]{7}|3\d{14}|2\d{9})$/.test(input.idNatStruct))
    problems.push(`idNat_Struct « ${input.idNatStruct} » invalide (1 + FINESS, 2 + SIREN ou 3 + SIRET)`);
  if (problems.length > 0) throw new ClientError(`Client refusé : ${problems.join(' ; ')}.`);
  const clientId = `org_${randomBytes(9).toString('base64url')}`;
  const metadata = {
    client_id: clientId,
    client_name: input.name.trim(),
    redirect_uris: [],
    response_types: [],
    grant_types: ['client_credentials'],
    scope: 'documents:alimenter',
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: input.idNatStruct,
    tls_client_certificate_bound_access_tokens: true,
  };
  const profile: ServiceProfile = {
    processesHealthData: true,
    shared: false,
    integratesShared: true,
    externalAccess: true,
    newUsagersPerYear: 0,
    professionalsPerYear: 0,
  };
  await sql`insert into oidc_client (client_id, name, metadata, profile)
    values (${clientId}, ${input.name.trim()}, ${JSON.stringify(metadata)}::jsonb, ${JSON.stringify(profile)}::jsonb)`.execute(
    database.db,
  );
  await appendEvent(database, {
    action: 'oidc.client.add',
    outcome: 'success',
    actor: { kind: 'system', id: actorId },
    subject: { type: 'client', id: clientId },
    details: { method: 'tls_client_auth', structure: input.idNatStruct },
  });
  return { clientId };
}

interface Row {
  client_id: string;
  name: string;
  metadata: {
    redirect_uris: string[];
    post_logout_redirect_uris?: string[];
    backchannel_logout_uri?: string;
    token_endpoint_auth_method: string;
  };
  profile: ServiceProfile;
  structure_finess: string | null;
  created_at: Date;
}

const toClient = (r: Row): RegisteredClient => ({
  clientId: r.client_id,
  name: r.name,
  redirectUris: r.metadata.redirect_uris ?? [],
  postLogoutRedirectUris: r.metadata.post_logout_redirect_uris ?? [],
  backchannelLogoutUri: r.metadata.backchannel_logout_uri ?? null,
  authMethod: r.metadata.token_endpoint_auth_method,
  profile: r.profile,
  structureFiness: r.structure_finess,
  createdAt: r.created_at,
});

export async function listClients(database: Database): Promise<RegisteredClient[]> {
  const r =
    await sql<Row>`select client_id, name, metadata, profile, structure_finess, created_at from oidc_client order by name`.execute(
      database.db,
    );
  return r.rows.map(toClient);
}

/**
 * Registered clients read in the last seconds: a login looks its DUI up five times (the provider's endpoints and
 * the login pages' RIE decision). Only clients found are kept, so one just added elsewhere is seen at once; one
 * removed by another process (the CLI) is forgotten within `clientCacheMs`, its codes and tokens at once.
 */
const clientCache = new WeakMap<Database, Map<string, { at: number; row: Row }>>();
const clientCacheMs = 5000;

async function clientRow(database: Database, clientId: string): Promise<Row | null> {
  let cache = clientCache.get(database);
  const hit = cache?.get(clientId);
  if (hit && performance.now() - hit.at < clientCacheMs) return hit.row;
  const r =
    await sql<Row>`select client_id, name, metadata, profile, structure_finess, created_at from oidc_client
    where client_id = ${clientId}`.execute(database.db);
  const row = r.rows[0];
  if (!row) {
    cache?.delete(clientId);
    return null;
  }
  if (!cache) {
    cache = new Map();
    clientCache.set(database, cache);
  }
  cache.set(clientId, { at: performance.now(), row });
  return row;
}

/** A client's metadata as oidc-provider reads it (the adapter's `Client` model). */
export async function clientMetadata(database: Database, clientId: string): Promise<Row['metadata'] | null> {
  return (await clientRow(database, clientId))?.metadata ?? null;
}

export async function getClient(database: Database, clientId: string): Promise<RegisteredClient | null> {
  const row = await clientRow(database, clientId);
  return row ? toClient(row) : null;
}

export async function removeClient(database: Database, clientId: string, actorId: string): Promise<void> {
  const r = await sql`delete from oidc_client where client_id = ${clientId}`.execute(database.db);
  clientCache.get(database)?.delete(clientId);
  if (Number(r.numAffectedRows ?? 0) === 0) throw new ClientError(`Client inconnu : ${clientId}.`);
  // Its sessions, codes and tokens go with it.
  await sql`delete from oidc_payload where payload->>'clientId' = ${clientId}`.execute(database.db);
  await appendEvent(database, {
    action: 'oidc.client.remove',
    outcome: 'success',
    actor: { kind: 'system', id: actorId },
    subject: { type: 'client', id: clientId },
  });
}
