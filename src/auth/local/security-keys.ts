import { createHash, randomBytes } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { sql } from 'kysely';
import type { Database } from '../../db/connect.ts';
import { LocalAccountError } from './accounts.ts';

/**
 * FIDO2 security keys of local accounts (@simplewebauthn/server): enrolled through a one-time link an
 * administrator hands over (24 h), used to log in with the key's own PIN or biometry (user verification required).
 */
export interface RelyingParty {
  /** The hub's host name, to which keys are bound. */
  id: string;
  /** The origin the browser reports (scheme, host, port). */
  origin: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createEnrolmentLink(database: Database, idNat: string, hours = 24): Promise<string> {
  const exists = await sql`select 1 from local_account where id_nat = ${idNat}`.execute(database.db);
  if (exists.rows.length === 0)
    throw new LocalAccountError(`Aucun compte local ${idNat} : inscrivez-le d’abord.`);
  const token = randomBytes(24).toString('base64url');
  await sql`insert into local_key_enrolment (token_hash, id_nat, expires_at)
    values (${hashOf(token)}, ${idNat}, ${new Date(Date.now() + hours * 3_600_000)})`.execute(database.db);
  return token;
}

/** The account an enrolment link is for, when it is unused and not expired. */
export async function enrolmentHolder(
  database: Database,
  token: string,
): Promise<{ idNat: string; nom: string; prenom: string } | null> {
  const r = await sql<{ id_nat: string; nom: string; prenom: string }>`select a.id_nat, a.nom, a.prenom
    from local_key_enrolment e join local_account a on a.id_nat = e.id_nat
    where e.token_hash = ${hashOf(token)} and e.used_at is null and e.expires_at > now()`.execute(
    database.db,
  );
  const row = r.rows[0];
  return row ? { idNat: row.id_nat, nom: row.nom, prenom: row.prenom } : null;
}

const keysOf = async (database: Database, idNat: string) =>
  (
    await sql<{
      credential_id: string;
      public_key: Uint8Array;
      counter: string | number;
      transports: string[];
    }>`
      select credential_id, public_key, counter, transports from local_security_key where id_nat = ${idNat}`.execute(
      database.db,
    )
  ).rows;

export async function registrationOptions(
  database: Database,
  rp: RelyingParty,
  holder: { idNat: string; nom: string; prenom: string },
) {
  return generateRegistrationOptions({
    rpName: 'Confiance',
    rpID: rp.id,
    userName: holder.idNat,
    userDisplayName: `${holder.prenom} ${holder.nom}`,
    attestationType: 'none',
    excludeCredentials: (await keysOf(database, holder.idNat)).map((k) => ({ id: k.credential_id })),
    authenticatorSelection: { userVerification: 'required', residentKey: 'discouraged' },
    preferredAuthenticatorType: 'securityKey',
  });
}

export async function registerKey(
  database: Database,
  rp: RelyingParty,
  token: string,
  expectedChallenge: string,
  response: RegistrationResponseJSON,
): Promise<string> {
  const holder = await enrolmentHolder(database, token);
  if (!holder) throw new LocalAccountError('Lien d’enregistrement inconnu, expiré ou déjà utilisé.');
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
  }).catch((e: unknown) => {
    throw new LocalAccountError(`Clé refusée : ${e instanceof Error ? e.message : String(e)}.`);
  });
  if (!verification.verified || !verification.registrationInfo) throw new LocalAccountError('Clé refusée.');
  const { credential } = verification.registrationInfo;
  await database.db.transaction().execute(async (trx) => {
    await sql`insert into local_security_key (credential_id, id_nat, public_key, counter, transports)
      values (${credential.id}, ${holder.idNat}, ${Buffer.from(credential.publicKey)}, ${credential.counter},
        ${credential.transports ?? []})`.execute(trx);
    await sql`update local_key_enrolment set used_at = now() where token_hash = ${hashOf(token)}`.execute(
      trx,
    );
  });
  return holder.idNat;
}

export async function authenticationOptions(database: Database, rp: RelyingParty, idNat: string) {
  const keys = await keysOf(database, idNat);
  return generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: 'required',
    // An unknown identifier gets options too, so that they do not tell which accounts exist.
    allowCredentials: keys.map((k) => ({ id: k.credential_id, transports: k.transports as never })),
  });
}

/** Checks an assertion; returns the account it proves, or null. The signature counter must move forward. */
export async function verifyKey(
  database: Database,
  rp: RelyingParty,
  expectedChallenge: string,
  response: AuthenticationResponseJSON,
): Promise<{ idNat: string; nom: string; prenom: string } | null> {
  const r = await sql<{
    id_nat: string;
    public_key: Uint8Array;
    counter: string | number;
    transports: string[];
    nom: string;
    prenom: string;
  }>`
    select k.id_nat, k.public_key, k.counter, k.transports, a.nom, a.prenom
    from local_security_key k join local_account a on a.id_nat = k.id_nat
    where k.credential_id = ${response.id} and a.locked_at is null`.execute(database.db);
  const key = r.rows[0];
  if (!key) return null;
  try {
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      credential: {
        id: response.id,
        publicKey: new Uint8Array(key.public_key),
        counter: Number(key.counter),
        transports: key.transports as never,
      },
    });
    if (!verification.verified) return null;
    await sql`update local_security_key set counter = ${verification.authenticationInfo.newCounter}, last_used_at = now()
      where credential_id = ${response.id}`.execute(database.db);
    return { idNat: key.id_nat, nom: key.nom, prenom: key.prenom };
  } catch {
    return null;
  }
}

export async function revokeKeys(database: Database, idNat: string): Promise<number> {
  const r = await sql`delete from local_security_key where id_nat = ${idNat}`.execute(database.db);
  return Number(r.numAffectedRows ?? 0);
}
