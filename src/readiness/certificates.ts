import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import forge from 'node-forge';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * A structure's certificate as uploaded by its administrateur technique: PEM, DER or the certificates of a
 * PKCS#12, parsed with @peculiar/x509 (node-forge only opens the PKCS#12 container). A private key, in any form,
 * makes the whole upload refused: Confiance never receives one.
 */
export class CertificateError extends Error {
  override name = 'CertificateError';
}

export type CertificateKind = 'ORG AUTH_CLI' | 'ORG SIGN' | 'SERV SSL' | 'autre';
export const certificateUsages = ['insi', 'dmp-auth', 'dmp-sign', 'mss', 'autre'] as const;
export type CertificateUsage = (typeof certificateUsages)[number];

export const usageLabels: Record<CertificateUsage, string> = {
  insi: 'Téléservice INSi',
  'dmp-auth': 'DMP — authentification',
  'dmp-sign': 'DMP — signature des documents',
  mss: 'MSSanté (boîte applicative ou serveur)',
  autre: 'Autre usage',
};

export interface ParsedCertificate {
  fingerprint: string;
  der: Uint8Array;
  subject: string;
  cn: string | null;
  o: string | null;
  ou: string | null;
  issuer: string;
  issuerCn: string | null;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  keyUsages: string[];
  extKeyUsages: string[];
  policies: string[];
  kind: CertificateKind;
  /** The structure named by OU (idNat_Struct): `1` + FINESS, `2` + SIREN, `3` + SIRET. */
  structure: { type: 'FINESS' | 'SIREN' | 'SIRET'; value: string } | null;
  igcSante: boolean;
  test: boolean;
}

const ekuNames: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.4.1.311.20.2.2': 'smartcardLogon',
};

const keyUsageNames: Array<[x509.KeyUsageFlags, string]> = [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'],
];

const privateKeyRefused = new CertificateError(
  'Le fichier contient une clé privée : Confiance n’en reçoit jamais. Exportez uniquement le certificat ' +
    '(partie publique, fichier .cer, .crt ou .pem) et gardez la clé sur le serveur qui l’utilise.',
);

function nameField(name: x509.Name, type: string): string | null {
  return name.getField(type)[0] ?? null;
}

function structureOf(ou: string | null): ParsedCertificate['structure'] {
  if (!ou) return null;
  if (/^1[0-9][0-9AB][0-9]{7}$/.test(ou)) return { type: 'FINESS', value: ou.slice(1) };
  if (/^3\d{14}$/.test(ou)) return { type: 'SIRET', value: ou.slice(1) };
  if (/^2\d{9}$/.test(ou)) return { type: 'SIREN', value: ou.slice(1) };
  return null;
}

function kindOf(keyUsages: string[], eku: string[]): CertificateKind {
  if (eku.includes('serverAuth')) return 'SERV SSL';
  if (eku.includes('clientAuth')) return 'ORG AUTH_CLI';
  if (keyUsages.includes('nonRepudiation') || eku.includes('emailProtection')) return 'ORG SIGN';
  return 'autre';
}

function describe(cert: x509.X509Certificate): ParsedCertificate {
  const der = new Uint8Array(cert.rawData);
  const subject = new x509.Name(cert.subject);
  const issuer = new x509.Name(cert.issuer);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const keyUsages = ku ? keyUsageNames.filter(([flag]) => (ku.usages & flag) !== 0).map(([, n]) => n) : [];
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const extKeyUsages = (eku?.usages ?? []).map((u) => ekuNames[String(u)] ?? String(u));
  const policies = cert.getExtension(x509.CertificatePolicyExtension)?.policies ?? [];
  const ou = nameField(subject, 'OU');
  const issuerCn = nameField(issuer, 'CN');
  return {
    fingerprint: createHash('sha256').update(der).digest('hex'),
    der,
    subject: cert.subject,
    cn: nameField(subject, 'CN'),
    o: nameField(subject, 'O'),
    ou,
    issuer: cert.issuer,
    issuerCn,
    serial: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    keyUsages,
    extKeyUsages,
    policies: [...policies],
    kind: kindOf(keyUsages, extKeyUsages),
    structure: structureOf(ou),
    igcSante: (issuerCn ?? '').includes('IGC-SANTE'),
    test: (issuerCn ?? '').startsWith('TEST '),
  };
}

const isCa = (c: x509.X509Certificate) => c.getExtension(x509.BasicConstraintsExtension)?.ca === true;

/** The structure's own certificate among those of a file: the one that is not a CA. */
function leaf(certs: x509.X509Certificate[]): ParsedCertificate {
  const leaves = certs.filter((c) => !isCa(c));
  if (leaves.length === 0)
    throw new CertificateError('Le fichier ne contient que des certificats d’autorité.');
  if (leaves.length > 1)
    throw new CertificateError(
      `Le fichier contient ${leaves.length} certificats de structure : déposez-les un par un.`,
    );
  return describe(leaves[0] as x509.X509Certificate);
}

function fromPem(text: string): ParsedCertificate {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw privateKeyRefused;
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0)
    throw new CertificateError('Fichier PEM sans bloc « BEGIN CERTIFICATE » : ce n’est pas un certificat.');
  return leaf(
    blocks.map((b) => {
      try {
        return new x509.X509Certificate(Buffer.from((b[1] ?? '').replace(/\s/g, ''), 'base64'));
      } catch {
        throw new CertificateError(
          'Un bloc « CERTIFICATE » du fichier PEM est illisible (base64 ou DER abîmé).',
        );
      }
    }),
  );
}

const keyBagTypes = [forge.pki.oids.keyBag, forge.pki.oids.pkcs8ShroudedKeyBag].filter(
  (t): t is string => typeof t === 'string',
);

function fromPkcs12(bytes: Uint8Array, password: string): ParsedCertificate {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (e) {
    const message = e instanceof Error ? e.message : '';
    throw new CertificateError(
      /password|mac|decrypt/i.test(message)
        ? 'Fichier PKCS#12 protégé : mot de passe absent ou incorrect.'
        : 'Format non reconnu : un certificat PEM, DER ou un fichier PKCS#12 est attendu.',
    );
  }
  for (const type of keyBagTypes)
    if ((p12.getBags({ bagType: type })[type] ?? []).length > 0) throw privateKeyRefused;
  const bags =
    p12.getBags({ bagType: forge.pki.oids.certBag as string })[forge.pki.oids.certBag as string] ?? [];
  const certs = bags.flatMap((bag) => {
    if (!bag.cert) return [];
    const der = forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert)).getBytes();
    return [new x509.X509Certificate(Buffer.from(der, 'binary'))];
  });
  if (certs.length === 0) throw new CertificateError('Le fichier PKCS#12 ne contient aucun certificat.');
  return leaf(certs);
}

/** Reads an uploaded file: PEM (text), DER, or PKCS#12 (with its password when it has one). */
export function parseCertificate(bytes: Uint8Array, password = ''): ParsedCertificate {
  if (bytes.length === 0) throw new CertificateError('Fichier vide.');
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (head.includes('-----BEGIN')) return fromPem(Buffer.from(bytes).toString('latin1'));
  if (bytes[0] !== 0x30)
    throw new CertificateError(
      'Format non reconnu : un certificat PEM, DER ou un fichier PKCS#12 est attendu.',
    );
  try {
    return describe(new x509.X509Certificate(Buffer.from(bytes)));
  } catch {
    return fromPkcs12(bytes, password);
  }
}

/** The usage a certificate most likely serves, to pre-select it on the upload form. */
export function likelyUsage(c: ParsedCertificate): CertificateUsage {
  if (c.cn === 'INSI-AUTO' || c.cn === 'INSI-MANU') return 'insi';
  if (c.kind === 'ORG SIGN') return 'dmp-sign';
  if (c.kind === 'ORG AUTH_CLI') return 'dmp-auth';
  if (c.kind === 'SERV SSL') return 'mss';
  return 'autre';
}

/** What prevents the certificate from serving the chosen usage, in French; empty when it fits. */
export function usageProblems(c: ParsedCertificate, usage: CertificateUsage): string[] {
  const problems: string[] = [];
  const need = (kind: CertificateKind) => {
    if (c.kind !== kind) problems.push(`un certificat ${kind} est attendu, celui-ci est ${c.kind}`);
  };
  if (usage === 'insi') {
    need('ORG AUTH_CLI');
    if (c.cn !== 'INSI-AUTO' && c.cn !== 'INSI-MANU')
      problems.push(
        `le nom (CN) d’un certificat INSi doit être INSI-AUTO ou INSI-MANU, et non « ${c.cn ?? ''} » : ` +
          'un certificat INSi ne peut pas être multi-usage',
      );
  }
  if (usage === 'dmp-auth') need('ORG AUTH_CLI');
  if (usage === 'dmp-sign') need('ORG SIGN');
  if (!c.igcSante)
    problems.push(`émis par « ${c.issuerCn ?? c.issuer} », qui n’est pas une autorité IGC Santé`);
  if (!c.structure)
    problems.push(`l’OU « ${c.ou ?? ''} » n’est pas un identifiant de structure (1 + FINESS, 3 + SIRET)`);
  return problems;
}
