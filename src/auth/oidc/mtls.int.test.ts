import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { describeEachDriver } from '../../../test/databases.ts';
import { createTestPki, type Issued, type TestPki } from '../../sandbox/pki.ts';
import { addStructureClient } from './clients.ts';

describeEachDriver('structures over mutual TLS (client credentials, certificate-bound tokens)', (driver) => {
  let s: TestApp;
  let pki: TestPki;
  let clientId: string;
  let own: Issued;
  const header = (pem: string) => ({ 'x-ssl-client-cert': encodeURIComponent(pem) });
  const token = (pem: string | null, fields: Record<string, string>) =>
    s.app.inject({
      method: 'POST',
      url: '/oidc/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(pem ? header(pem) : {}) },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        ...fields,
      }).toString(),
    });

  beforeAll(async () => {
    pki = await createTestPki();
    const dir = mkdtempSync(join(tmpdir(), 'confiance-mtls-'));
    writeFileSync(join(dir, 'ca.pem'), pki.caPem);
    s = await createTestApp(driver, {
      CONFIANCE_MTLS_CA: join(dir, 'ca.pem'),
      CONFIANCE_MTLS_HEADER: 'x-ssl-client-cert',
    });
    clientId = (
      await addStructureClient(
        s.t.database,
        { name: 'EHPAD Les Tilleuls', idNatStruct: '1690000012' },
        'test',
      )
    ).clientId;
    own = await pki.issueOrganisation({ cn: 'DUI EHPAD', ou: '1690000012', o: 'EHPAD LES TILLEULS' });
  }, 60_000);
  afterAll(async () => s?.close());

  it('issues a token bound to the structure’s certificate, for feeding documents only', async () => {
    const res = await token(own.certPem, { scope: 'documents:alimenter' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'documents:alimenter' });
    const introspection = await s.app.inject({
      method: 'POST',
      url: '/oidc/token/introspection',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...header(own.certPem) },
      payload: new URLSearchParams({ token: body.access_token, client_id: clientId }).toString(),
    });
    expect(introspection.json()).toMatchObject({
      active: true,
      client_id: clientId,
      cnf: { 'x5t#S256': expect.any(String) },
    });
  });

  it('refuses a missing certificate, another structure’s, one from another authority, and reading scopes', async () => {
    expect((await token(null, { scope: 'documents:alimenter' })).json().error).toBe('invalid_client');
    const other = await pki.issueOrganisation({ cn: 'AUTRE', ou: '1750000001', o: 'AUTRE' });
    expect((await token(other.certPem, { scope: 'documents:alimenter' })).json().error).toBe(
      'invalid_client',
    );
    const foreign = await (await createTestPki()).issueOrganisation({
      cn: 'DUI EHPAD',
      ou: '1690000012',
      o: 'FAUX',
    });
    expect((await token(foreign.certPem, { scope: 'documents:alimenter' })).json().error).toBe(
      'invalid_client',
    );
    expect((await token(own.certPem, { scope: 'openid profile professionnel' })).json().error).toBe(
      'invalid_scope',
    );
  });
});
