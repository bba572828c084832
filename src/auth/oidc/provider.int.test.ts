import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { describeEachDriver } from '../../../test/databases.ts';
import { addClient } from './clients.ts';

describeEachDriver('OpenID Connect provider for DUIs', (driver) => {
  let s: TestApp;
  let clientId: string;
  const profile = {
    processesHealthData: true,
    shared: false,
    integratesShared: true,
    externalAccess: true,
    newUsagersPerYear: 100,
    professionalsPerYear: 50,
  };

  beforeAll(async () => {
    s = await createTestApp(driver);
    clientId = (
      await addClient(
        s.t.database,
        {
          name: 'DUI de test',
          redirectUris: ['https://dui.exemple.fr/callback'],
          postLogoutRedirectUris: [],
          backchannelLogoutUri: null,
          auth: { method: 'client_secret_basic' },
          profile,
        },
        'test',
      )
    ).clientId;
  }, 60_000);
  afterAll(async () => s?.close());

  it('publishes its discovery document and keys under /oidc', async () => {
    const res = await s.app.inject({ url: '/oidc/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.issuer).toBe('http://localhost:8080/oidc');
    expect(d.authorization_endpoint).toMatch(/^http:\/\/localhost(:\d+)?\/oidc\/auth$/);
    expect(d.code_challenge_methods_supported).toEqual(['S256']);
    expect(d.response_types_supported).toEqual(['code']);
    expect(d.end_session_endpoint).toMatch(/\/oidc\/session\/end$/);
    expect(d.backchannel_logout_supported).toBe(true);
    const jwks = (await s.app.inject({ url: '/oidc/jwks' })).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('requires PKCE, and refuses unregistered clients and redirect URIs with a French page', async () => {
    const base = `/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&state=abcdefghijklmnopqrstuvwxyz012345`;
    const noPkce = await s.app.inject({
      url: `${base}&redirect_uri=${encodeURIComponent('https://dui.exemple.fr/callback')}`,
    });
    expect(noPkce.statusCode).toBe(303);
    const location = new URL(String(noPkce.headers.location));
    expect(location.origin + location.pathname).toBe('https://dui.exemple.fr/callback');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
    const elsewhere = await s.app.inject({
      url: `${base}&redirect_uri=${encodeURIComponent('https://attaquant.exemple/cb')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
    });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.body).toContain('L’adresse de retour n’est pas déclarée pour ce logiciel.');
    const unknown = await s.app.inject({
      url: '/oidc/auth?client_id=inconnu&response_type=code&scope=openid',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('Ce logiciel n’est pas enregistré auprès de Confiance.');
  });

  it('hands a valid authorization request to the login pages', async () => {
    const res = await s.app.inject({
      url: `/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://dui.exemple.fr/callback')}&state=abcdefghijklmnopqrstuvwxyz012345&nonce=n0123456789012345678901234567890&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
    });
    expect(res.statusCode).toBe(303);
    expect(String(res.headers.location)).toMatch(/^\/connexion\/[A-Za-z0-9_-]+$/);
  });
});
