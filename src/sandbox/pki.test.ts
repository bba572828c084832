import { X509Certificate } from 'node:crypto';
import { expect, it } from 'vitest';
import { caNames, createTestPki } from './pki.ts';

it('issues structure and server certificates chained to an IGC Santé-shaped test CA', async () => {
  const pki = await createTestPki();
  const [root, ca] = pki.caPem.split(/\n(?=-----BEGIN)/).map((p) => new X509Certificate(p.trim()));
  expect(root?.subject).toContain(`CN=${caNames.root}`);
  expect(ca?.subject).toContain(`CN=${caNames.organisations}`);
  expect(ca?.verify(root?.publicKey as never)).toBe(true);
  const org = await pki.issueOrganisation({ cn: 'INSI-AUTO', ou: '1920000000', o: 'EHPAD' });
  const cert = new X509Certificate(org.certPem);
  expect(cert.subject).toBe('C=FR\nO=EHPAD\nOU=1920000000\nCN=INSI-AUTO');
  expect(cert.verify(ca?.publicKey as never)).toBe(true);
  expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  expect(org.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  const server = new X509Certificate((await pki.issueServer()).certPem);
  expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
}, 60_000);
