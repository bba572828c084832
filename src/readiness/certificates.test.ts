import fc from 'fast-check';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type Issued, type TestPki, testPolicy } from '../sandbox/pki.ts';
import { CertificateError, likelyUsage, parseCertificate, usageProblems } from './certificates.ts';

let pki: TestPki;
let insi: Issued;
let sign: Issued;
let server: Issued;
const text = (s: string) => new Uint8Array(Buffer.from(s));
const der = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));

function pkcs12(issued: Issued, withKey: boolean, password: string): Uint8Array {
  const cert = forge.pki.certificateFromPem(issued.certPem);
  const key = withKey ? forge.pki.privateKeyFromPem(issued.keyPem) : null;
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, { algorithm: '3des' });
  return new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}

beforeAll(async () => {
  pki = await createTestPki();
  insi = await pki.issueOrganisation({ cn: 'INSI-AUTO', ou: '1690000011', o: 'ASSOCIATION LES TILLEULS' });
  sign = await pki.issueOrganisation({
    cn: 'DMP SIGNATURE',
    ou: '330000001200012',
    o: 'ASSOCIATION LES TILLEULS',
    usage: 'SIGN',
  });
  server = await pki.issueServer(['mss.exemple.fr']);
}, 30_000);

describe('certificate upload', () => {
  it('reads an INSi ORG AUTH_CLI certificate in PEM: subject, structure, issuer, validity, usages, policy', () => {
    const c = parseCertificate(text(insi.certPem));
    expect(c).toMatchObject({
      cn: 'INSI-AUTO',
      o: 'ASSOCIATION LES TILLEULS',
      ou: '1690000011',
      structure: { type: 'FINESS', value: '690000011' },
      issuerCn: 'TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS',
      kind: 'ORG AUTH_CLI',
      igcSante: true,
      test: true,
      keyUsages: ['digitalSignature', 'keyEncipherment'],
      extKeyUsages: ['clientAuth'],
      policies: [testPolicy],
    });
    expect(c.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(c.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(likelyUsage(c)).toBe('insi');
    expect(usageProblems(c, 'insi')).toEqual([]);
  });

  it('classifies ORG SIGN (DER, SIRET in OU) and SERV SSL certificates', () => {
    const s = parseCertificate(der(sign.certPem));
    expect(s).toMatchObject({ kind: 'ORG SIGN', structure: { type: 'SIRET', value: '30000001200012' } });
    expect(s.keyUsages).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(likelyUsage(s)).toBe('dmp-sign');
    expect(parseCertificate(text(server.certPem)).kind).toBe('SERV SSL');
  });

  it('checks the INSi naming rule and the kind the usage needs', () => {
    const s = parseCertificate(text(sign.certPem));
    expect(usageProblems(s, 'insi')).toEqual([
      'un certificat ORG AUTH_CLI est attendu, celui-ci est ORG SIGN',
      'le nom (CN) d’un certificat INSi doit être INSI-AUTO ou INSI-MANU, et non « DMP SIGNATURE » : un certificat INSi ne peut pas être multi-usage',
    ]);
    expect(usageProblems(s, 'dmp-auth')).toEqual([
      'un certificat ORG AUTH_CLI est attendu, celui-ci est ORG SIGN',
    ]);
    expect(usageProblems(s, 'dmp-sign')).toEqual([]);
  });

  it('takes the structure’s certificate out of a chain', () => {
    expect(parseCertificate(text(`${pki.caPem}\n${insi.certPem}`)).cn).toBe('INSI-AUTO');
    expect(() => parseCertificate(text(pki.caPem))).toThrow(/que des certificats d’autorité/);
  });

  it('reads the certificates of a PKCS#12 with its password', () => {
    expect(parseCertificate(pkcs12(insi, false, 'secret'), 'secret').cn).toBe('INSI-AUTO');
    expect(() => parseCertificate(pkcs12(insi, false, 'secret'), 'autre')).toThrow(/mot de passe/);
  });

  it('refuses any private key, in PEM or inside a PKCS#12', () => {
    expect(() => parseCertificate(text(`${insi.certPem}\n${insi.keyPem}`))).toThrow(/clé privée/);
    expect(() => parseCertificate(pkcs12(insi, true, 'secret'), 'secret')).toThrow(/clé privée/);
  });

  it('refuses what is not a certificate with a French message, never another error', () => {
    expect(() => parseCertificate(new Uint8Array())).toThrow('Fichier vide.');
    expect(() => parseCertificate(text('bonjour'))).toThrow(/Format non reconnu/);
    expect(() =>
      parseCertificate(text('-----BEGIN CERTIFICATE-----\n@@@\n-----END CERTIFICATE-----')),
    ).toThrow(CertificateError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parseCertificate(new Uint8Array([0x30, ...bytes]));
        } catch (e) {
          expect(e).toBeInstanceOf(CertificateError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
