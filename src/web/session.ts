import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiScope } from '../auth/api-token.ts';

/**
 * Console sessions, until Pro Santé Connect signs agents in: an agent opens a session with a personal access
 * token (`confiance api-token create`), and the session carries that token's id, name and rights. The cookie is
 * signed (HMAC-SHA256), HttpOnly, SameSite=Strict, and lasts four hours at most; every form also carries a CSRF
 * token derived from the session.
 */
export interface ConsoleSession {
  tokenId: string;
  name: string;
  /** The agent's idNat_PS when the token names it. */
  idNat: string | null;
  scopes: ApiScope[];
  expiresAt: number;
}

export const sessionCookie = 'confiance_session';
export const sessionSeconds = 4 * 3600;

/** The configured secret, or one generated once in the data directory (readable by its owner only). */
export function resolveSessionSecret(configured: string | null, dataDir: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'session-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return readFileSync(file, 'utf8').trim();
}

const sign = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('base64url');

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function encodeSession(secret: string, session: ConsoleSession): string {
  const body = Buffer.from(JSON.stringify(session)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

export function decodeSession(
  secret: string,
  value: string | undefined,
  now = Date.now(),
): ConsoleSession | null {
  if (!value) return null;
  const [body, signature] = value.split('.');
  if (!body || !signature || !same(signature, sign(secret, body))) return null;
  try {
    const session = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ConsoleSession;
    return typeof session.expiresAt === 'number' && session.expiresAt > now ? session : null;
  } catch {
    return null;
  }
}

/** The CSRF token of a session: forms carry it, and a POST without it (or with another session's) is refused. */
export function csrfToken(secret: string, session: ConsoleSession): string {
  return sign(secret, `csrf:${session.tokenId}:${session.expiresAt}`);
}

export function checkCsrf(secret: string, session: ConsoleSession, given: unknown): boolean {
  return typeof given === 'string' && same(given, csrfToken(secret, session));
}
