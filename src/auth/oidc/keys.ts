import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { sql } from 'kysely';
import type { Database } from '../../db/connect.ts';

/**
 * The hub's signing keys, kept in the database so that every instance signs with the same one. The newest key
 * signs; a rotated key stays published until its retirement, so tokens it signed still verify.
 */
export interface SigningKey {
  kid: string;
  alg: string;
  jwk: JWK;
  createdAt: Date;
  retireAt: Date | null;
}

async function newKey(database: Database): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  await sql`insert into oidc_key (kid, alg, private_jwk) values (${kid}, 'RS256', ${JSON.stringify({ ...jwk, kid, alg: 'RS256', use: 'sig' })}::jsonb)`.execute(
    database.db,
  );
  return kid;
}

export async function signingKeys(database: Database, now = new Date()): Promise<SigningKey[]> {
  const r = await sql<{
    kid: string;
    alg: string;
    private_jwk: JWK;
    created_at: Date;
    retire_at: Date | null;
  }>`
    select kid, alg, private_jwk, created_at, retire_at from oidc_key
    where alg = 'RS256' and (retire_at is null or retire_at > ${now}) order by created_at desc, kid`.execute(
    database.db,
  );
  return r.rows.map((k) => ({
    kid: k.kid,
    alg: k.alg,
    jwk: k.private_jwk,
    createdAt: k.created_at,
    retireAt: k.retire_at,
  }));
}

/** The keys to give oidc-provider, newest first; one is created on the first start. */
export async function ensureSigningKeys(database: Database): Promise<JWK[]> {
  return database.withLock('oidc-keys', async () => {
    let keys = await signingKeys(database);
    if (keys.length === 0) {
      await newKey(database);
      keys = await signingKeys(database);
    }
    return keys.map((k) => k.jwk);
  });
}

/**
 * The hub's encryption key (RSA-OAEP), whose public half FranceConnect+ encrypts id_tokens and userinfo to; made on
 * first use, shared by the instances through the database.
 */
export async function encryptionKey(database: Database): Promise<JWK> {
  return database.withLock('oidc-keys', async () => {
    const read = () =>
      sql<{ private_jwk: JWK }>`select private_jwk from oidc_key where alg = 'RSA-OAEP' and retire_at is null
        order by created_at desc limit 1`.execute(database.db);
    const found = (await read()).rows[0];
    if (found) return found.private_jwk;
    const { privateKey } = await generateKeyPair('RSA-OAEP', { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(jwk);
    await sql`insert into oidc_key (kid, alg, private_jwk) values (${kid}, 'RSA-OAEP', ${JSON.stringify({ ...jwk, kid, alg: 'RSA-OAEP', use: 'enc' })}::jsonb)`.execute(
      database.db,
    );
    return { ...jwk, kid, alg: 'RSA-OAEP', use: 'enc' };
  });
}

/** Adds a new signing key and retires the others after `graceSeconds` (the longest token lifetime). */
export async function rotateSigningKey(database: Database, graceSeconds = 86_400): Promise<string> {
  return database.withLock('oidc-keys', async () => {
    const retireAt = new Date(Date.now() + graceSeconds * 1000);
    await sql`update oidc_key set retire_at = ${retireAt} where retire_at is null and alg = 'RS256'`.execute(
      database.db,
    );
    return newKey(database);
  });
}
