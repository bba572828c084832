import { expect, it } from 'vitest';
import { localAccountsPage } from './local-accounts.ts';

it('shows accounts with their state, and actions only to writers', () => {
  const accounts = [
    {
      idNat: '810000000017',
      nom: 'DUPONT',
      prenom: '<Anne>',
      locked: true,
      consecutiveFailures: 10,
      keys: 1,
      createdAt: new Date(),
    },
  ];
  const reader = localAccountsPage({ accounts, csrf: null });
  expect(reader).toContain('&lt;Anne&gt; DUPONT');
  expect(reader).toContain('verrouillé');
  expect(reader).not.toContain('<form');
  const writer = localAccountsPage({
    accounts,
    csrf: 'jeton',
    handover: { idNat: '810000000017', lines: [['Mot de passe', 'S3cr3t!']] },
  });
  expect(writer).toContain('Déverrouiller');
  expect(writer).toContain('Révoquer les clés');
  expect(writer).toContain('<code>S3cr3t!</code>');
});
