import { expect, it } from 'vitest';
import { isRemote, populationOf } from './shared.ts';

it.each([
  ['127.0.0.1', false],
  ['::1', false],
  ['::ffff:192.168.1.20', false],
  ['10.3.4.5', false],
  ['172.16.0.1', false],
  ['172.32.0.1', true],
  ['fd12::1', false],
  ['81.250.1.2', true],
  ['2a01:cb00::1', true],
  ['pas-une-adresse', true],
])('%s is remote: %s', (ip, remote) => {
  expect(isRemote(ip)).toBe(remote);
});

it.each([
  ['openid profile professionnel', 'professionnel'],
  ['openid profile usager', 'usager'],
  ['openid aidant profile', 'aidant'],
  [undefined, 'professionnel'],
])('scope %s → %s', (scope, population) => {
  expect(populationOf(scope)).toBe(population);
});
