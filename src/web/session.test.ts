import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCsrf, csrfToken, decodeSession, encodeSession, resolveSessionSecret } from './session.ts';

const secret = 'x'.repeat(32);
const session = {
  tokenId: 'abc',
  name: 'Accueil',
  idNat: '810000000009',
  scopes: ['identity:write' as const],
  expiresAt: Date.now() + 60_000,
};

describe('console sessions', () => {
  it('round-trips a signed session and refuses a forged or expired one', () => {
    const cookie = encodeSession(secret, session);
    expect(decodeSession(secret, cookie)).toEqual(session);
    expect(decodeSession('y'.repeat(32), cookie)).toBeNull();
    const [body] = cookie.split('.');
    const forged = Buffer.from(JSON.stringify({ ...session, scopes: ['audit:read'] })).toString('base64url');
    expect(decodeSession(secret, `${forged}.${cookie.split('.')[1]}`)).toBeNull();
    expect(decodeSession(secret, `${body}`)).toBeNull();
    expect(decodeSession(secret, cookie, session.expiresAt + 1)).toBeNull();
    expect(decodeSession(secret, undefined)).toBeNull();
  });

  it('derives a CSRF token per session', () => {
    const token = csrfToken(secret, session);
    expect(checkCsrf(secret, session, token)).toBe(true);
    expect(checkCsrf(secret, { ...session, tokenId: 'other' }, token)).toBe(false);
    expect(checkCsrf(secret, session, undefined)).toBe(false);
  });

  it('generates a secret once, readable by its owner only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'confiance-secret-'));
    const first = resolveSessionSecret(null, dir);
    expect(first.length).toBeGreaterThanOrEqual(40);
    expect(resolveSessionSecret(null, dir)).toBe(first);
    expect(statSync(join(dir, 'session-secret')).mode & 0o777).toBe(0o600);
    expect(resolveSessionSecret(secret, dir)).toBe(secret);
  });
});
