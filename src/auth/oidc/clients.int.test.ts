import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../../test/databases.ts';
import { countAudit } from '../../../test/organisation-fixture.ts';
import {
  addClient,
  clientMetadata,
  getClient,
  listClients,
  redirectUriProblem,
  removeClient,
} from './clients.ts';

const profile = {
  processesHealthData: true,
  shared: false,
  integratesShared: true,
  externalAccess: false,
  newUsagersPerYear: 10,
  professionalsPerYear: 5,
};

describeEachDriver('DUI clients', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => t?.drop());

  it('registers a DUI with a secret or private_key_jwt, lists and removes it, audited', async () => {
    await expect(
      addClient(
        t.database,
        {
          name: ' ',
          redirectUris: ['http://dui.exemple.fr/cb', 'https://dui.exemple.fr/cb#x'],
          postLogoutRedirectUris: [],
          backchannelLogoutUri: null,
          auth: { method: 'client_secret_basic' },
          profile,
        },
        'test',
      ),
    ).rejects.toThrow(
      'Client refusé : nom manquant ; « http://dui.exemple.fr/cb » doit être en https (http seulement sur la boucle locale) ; « https://dui.exemple.fr/cb#x » ne doit pas contenir de fragment (#).',
    );
    const withSecret = await addClient(
      t.database,
      {
        name: 'DUI A',
        redirectUris: ['https://a.exemple.fr/cb'],
        postLogoutRedirectUris: [],
        backchannelLogoutUri: null,
        auth: { method: 'client_secret_basic' },
        profile,
      },
      'test',
    );
    expect(withSecret.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const withKeys = await addClient(
      t.database,
      {
        name: 'DUI B',
        redirectUris: ['http://localhost:3000/cb'],
        postLogoutRedirectUris: ['http://localhost:3000/'],
        backchannelLogoutUri: 'https://b.exemple.fr/bcl',
        auth: { method: 'private_key_jwt', jwksUri: 'https://b.exemple.fr/jwks' },
        profile,
      },
      'test',
    );
    expect(withKeys.clientSecret).toBeNull();
    expect((await listClients(t.database)).map((c) => [c.name, c.authMethod])).toEqual([
      ['DUI A', 'client_secret_basic'],
      ['DUI B', 'private_key_jwt'],
    ]);
    expect(await getClient(t.database, withKeys.clientId)).toMatchObject({
      backchannelLogoutUri: 'https://b.exemple.fr/bcl',
      profile,
    });
    // Read once (and kept a few seconds), then removed in this process: gone at once.
    expect(await getClient(t.database, withSecret.clientId)).not.toBeNull();
    await removeClient(t.database, withSecret.clientId, 'test');
    expect(await getClient(t.database, withSecret.clientId)).toBeNull();
    expect(await clientMetadata(t.database, withSecret.clientId)).toBeNull();
    await expect(removeClient(t.database, withSecret.clientId, 'test')).rejects.toThrow('Client inconnu');
    expect(await countAudit(t.database, 'oidc.client.add')).toBe(2);
    expect(await countAudit(t.database, 'oidc.client.remove')).toBe(1);
  });

  it('accepts only https redirect URIs, or http on the loopback', () => {
    expect(redirectUriProblem('https://dui.exemple.fr/cb?x=1')).toBeNull();
    expect(redirectUriProblem('http://127.0.0.1:8080/cb')).toBeNull();
    expect(redirectUriProblem('javascript:alert(1)')).toMatch(/https/);
    expect(redirectUriProblem('https://u:p@dui.exemple.fr/')).toMatch(/identifiants/);
    expect(redirectUriProblem('/relative')).toMatch(/URL absolue/);
  });
});
