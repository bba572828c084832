import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers.ts';

describe('securityHeaders', () => {
  it('gives the headers Helmet would set, the CSP from the directives', () => {
    const headers = new Map(
      securityHeaders({
        contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], formAction: ["'self'"] } },
        strictTransportSecurity: false,
      }),
    );
    expect(headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(headers.has('strict-transport-security')).toBe(false);
  });

  it('adds HSTS when asked', () => {
    const headers = new Map(securityHeaders({ strictTransportSecurity: true }));
    expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  });
});
