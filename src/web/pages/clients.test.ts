import { expect, it } from 'vitest';
import { clientsPage } from './clients.ts';

it('shows each DUI with its sensitivity, the secret once, and forms only to writers', () => {
  const client = {
    clientId: 'dui_abc',
    name: 'DUI <script>',
    redirectUris: ['https://dui.exemple.fr/cb'],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    authMethod: 'client_secret_basic',
    profile: {
      processesHealthData: true,
      shared: false,
      integratesShared: false,
      externalAccess: false,
      newUsagersPerYear: 0,
      professionalsPerYear: 0,
    },
    structureFiness: null,
    createdAt: new Date(),
  };
  const reader = clientsPage({
    clients: [client],
    csrf: null,
    issuer: 'https://c.fr/oidc',
    ruleSet: 'RIE v1',
  });
  expect(reader).toContain('DUI &lt;script&gt;');
  expect(reader).toContain('non sensible');
  expect(reader).not.toContain('<form');
  const writer = clientsPage({
    clients: [],
    csrf: 'jeton',
    issuer: 'https://c.fr/oidc',
    ruleSet: 'RIE v1',
    created: { clientId: 'dui_abc', clientSecret: 'S3CR3T' },
  });
  expect(writer).toContain('Secret, affiché une seule fois : <code>S3CR3T</code>');
  expect(writer).toContain('name="csrf" value="jeton"');
});
