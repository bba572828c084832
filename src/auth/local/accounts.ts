import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import type { Database } from '../../db/connect.ts';
import { isAdeli, isRpps } from '../../directory/identifiers.ts';
import { generatePassword, hashPassword, passwordStrength, verifyPassword } from './password.ts';
import { afterFailure, afterSuccess, type FailureState, throttle } from './throttle.ts';

/**
 * Local accounts of professionals (password + TOTP), for the cases the RIE admits them. The TOTP secret is sealed
 * with AES-256-GCM under a key derived from the instance's secret; a code is accepted once.
 */
export class LocalAccountError extends Error {
  override name = 'LocalAccountError';
}

const keyOf = (instanceSecret: string) => createHash('sha256').update(`totp:${instanceSecret}`).digest();

export function seal(instanceSecret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(instanceSecret), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
}

export function unseal(instanceSecret: string, sealed: string): string {
  const [iv, tag, data] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !data) throw new Error('sealed secret malformed');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(instanceSecret), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}

const totpOf = (idNat: string, base32: string) =>
  new TOTP({
    issuer: 'Confiance',
    label: idNat,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(base32),
  });

export interface Enrolment {
  password: string;
  totpSecret: string;
  otpauthUri: string;
}

export async function enrolLocalAccount(
  database: Database,
  instanceSecret: string,
  input: { idNat: string; nom: string; prenom: string; password?: string },
  by: string,
): Promise<Enrolment> {
  const problems: string[] = [];
  const valid =
    (input.idNat.startsWith('8') && isRpps(input.idNat.slice(1))) ||
    (input.idNat.startsWith('0') && isAdeli(input.idNat.slice(1)));
  if (!valid) problems.push(`idNat_PS « ${input.idNat} » invalide (8 + RPPS ou 0 + ADELI)`);
  if (!input.nom.trim() || !input.prenom.trim()) problems.push('nom et prénom requis');
  const password = input.password ?? generatePassword();
  const strength = passwordStrength(password);
  if (!strength.ok) problems.push(`mot de passe trop faible : ${strength.reason}`);
  if (problems.length > 0) throw new LocalAccountError(`Inscription refusée : ${problems.join(' ; ')}.`);
  const secret = new Secret({ size: 20 }).base32;
  const r = await sql`insert into local_account (id_nat, nom, prenom, password_hash, totp_secret, enrolled_by)
    values (${input.idNat}, ${input.nom.trim()}, ${input.prenom.trim()}, ${await hashPassword(password)},
      ${seal(instanceSecret, secret)}, ${by})
    on conflict (id_nat) do nothing`.execute(database.db);
  if (Number(r.numAffectedRows ?? 0) === 0)
    throw new LocalAccountError(`Un compte local existe déjà pour ${input.idNat}.`);
  return { password, totpSecret: secret, otpauthUri: totpOf(input.idNat, secret).toString() };
}

interface Row {
  id_nat: string;
  nom: string;
  prenom: string;
  password_hash: string;
  totp_secret: string;
  totp_last_step: string | number;
  consecutive_failures: number;
  failures: number[];
  last_failure_at: Date | null;
  locked_at: Date | null;
}

export type Authentication =
  | { ok: true; idNat: string; nom: string; prenom: string }
  | { ok: false; reason: string; throttled: boolean };

const generic = 'Identifiant, mot de passe ou code incorrect.';
// A verification against a fixed hash when the account does not exist, so that timing does not tell.
const decoy = hashPassword('compte-inexistant-Confiance-1');

export async function authenticateLocal(
  database: Database,
  instanceSecret: string,
  input: { idNat: string; password: string; code: string },
  now: Date,
): Promise<Authentication> {
  const r = await sql<Row>`select * from local_account where id_nat = ${input.idNat}`.execute(database.db);
  const row = r.rows[0];
  if (!row) {
    await verifyPassword(input.password, await decoy);
    return { ok: false, reason: generic, throttled: false };
  }
  const state: FailureState = {
    consecutive: row.consecutive_failures,
    recent: row.failures,
    lastFailureAt: row.last_failure_at ? new Date(row.last_failure_at).getTime() : null,
    locked: row.locked_at !== null,
  };
  const decision = throttle(state, now.getTime());
  if (!decision.allowed) return { ok: false, reason: decision.reason, throttled: true };
  const passwordOk = await verifyPassword(input.password, row.password_hash);
  const totp = totpOf(row.id_nat, unseal(instanceSecret, row.totp_secret));
  const delta = /^\d{6}$/.test(input.code)
    ? totp.validate({ token: input.code, timestamp: now.getTime(), window: 1 })
    : null;
  const step = delta === null ? null : Math.floor(now.getTime() / 30_000) + delta;
  const fresh = step !== null && step > Number(row.totp_last_step);
  if (!passwordOk || !fresh) {
    const next = afterFailure(state, now.getTime());
    await sql`update local_account set consecutive_failures = ${next.consecutive}, failures = ${JSON.stringify(next.recent)}::jsonb,
        last_failure_at = ${new Date(now.getTime())}, locked_at = ${next.locked ? (row.locked_at ?? now) : null}, updated_at = now()
      where id_nat = ${row.id_nat}`.execute(database.db);
    return { ok: false, reason: generic, throttled: false };
  }
  const next = afterSuccess(state);
  await sql`update local_account set consecutive_failures = ${next.consecutive}, last_failure_at = null,
      totp_last_step = ${step}, updated_at = now() where id_nat = ${row.id_nat}`.execute(database.db);
  return { ok: true, idNat: row.id_nat, nom: row.nom, prenom: row.prenom };
}

export async function unlockLocalAccount(database: Database, idNat: string): Promise<boolean> {
  const r =
    await sql`update local_account set locked_at = null, consecutive_failures = 0, last_failure_at = null,
    updated_at = now() where id_nat = ${idNat}`.execute(database.db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function removeLocalAccount(database: Database, idNat: string): Promise<boolean> {
  const r = await sql`delete from local_account where id_nat = ${idNat}`.execute(database.db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** The current code of a secret at an instant: for the sandbox and tests, as an authenticator app shows it. */
export const totpCode = (base32: string, at: Date) =>
  totpOf('x', base32).generate({ timestamp: at.getTime() });

export interface LocalAccountSummary {
  idNat: string;
  nom: string;
  prenom: string;
  locked: boolean;
  consecutiveFailures: number;
  keys: number;
  createdAt: Date;
}

export async function listLocalAccounts(database: Database): Promise<LocalAccountSummary[]> {
  const r = await sql<{
    id_nat: string;
    nom: string;
    prenom: string;
    locked_at: Date | null;
    consecutive_failures: number;
    keys: number;
    created_at: Date;
  }>`
    select a.id_nat, a.nom, a.prenom, a.locked_at, a.consecutive_failures, a.created_at,
      (select count(*)::int from local_security_key k where k.id_nat = a.id_nat) as keys
    from local_account a order by a.nom, a.prenom`.execute(database.db);
  return r.rows.map((a) => ({
    idNat: a.id_nat,
    nom: a.nom,
    prenom: a.prenom,
    locked: a.locked_at !== null,
    consecutiveFailures: a.consecutive_failures,
    keys: a.keys,
    createdAt: new Date(a.created_at),
  }));
}
