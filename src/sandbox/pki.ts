import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * The sandbox's test PKI, shaped like IGC Santé: a root (`TEST AC RACINE IGC-SANTE ELEMENTAIRE`), the
 * organisations CA (`TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS`) that issues structures' certificates (O = the
 * structure, OU = its idNat_Struct, CN = the usage, such as `INSI-AUTO`), and TLS server certificates for the
 * emulators. Keys stay in memory; nothing here is meant for production.
 */
export const caNames = {
  root: 'TEST AC RACINE IGC-SANTE ELEMENTAIRE',
  organisations: 'TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS',
} as const;

/** Certificate policy of every IGC Santé test certificate (research/ins-dmp-mss-igc.md §5.3). */
export const testPolicy = '1.2.250.1.213.1.7.2.1.1.1.1';

const algorithm = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

export interface Issued {
  certPem: string;
  keyPem: string;
}

export interface TestPki {
  /** Root and organisations CA, PEM, in that order: what a client or server trusts. */
  caPem: string;
  /** A structure's certificate: client authentication (ORG AUTH_CLI, the default) or signature (ORG SIGN). */
  issueOrganisation(options: {
    cn: string;
    ou: string;
    o: string;
    usage?: 'AUTH_CLI' | 'SIGN';
    notBefore?: Date;
    notAfter?: Date;
  }): Promise<Issued>;
  /** A TLS server certificate for `localhost` and 127.0.0.1. */
  issueServer(hostnames?: string[]): Promise<Issued>;
}

function pem(kind: string, der: ArrayBuffer): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportKey(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

const dn = (parts: Record<string, string>) =>
  Object.entries(parts)
    .map(([k, v]) => `${k}=${v.replace(/([,+"\\<>;=])/g, '\\$1')}`)
    .join(', ');

export async function createTestPki(): Promise<TestPki> {
  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const years = (n: number) => new Date(now + n * 365 * 86_400_000);
  const rootKeys = await keyPair();
  const rootName = dn({ C: 'FR', O: 'ASIP-SANTE', OU: 'IGC-SANTE', CN: caNames.root });
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: rootName,
    keys: rootKeys,
    notBefore,
    notAfter: years(20),
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const caKeys = await keyPair();
  const caName = dn({ C: 'FR', O: 'ASIP-SANTE', OU: 'IGC-SANTE', CN: caNames.organisations });
  const ca = await x509.X509CertificateGenerator.create({
    subject: caName,
    issuer: root.subject,
    publicKey: caKeys.publicKey,
    signingKey: rootKeys.privateKey,
    notBefore,
    notAfter: years(10),
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  const issue = async (
    subject: string,
    usage: x509.ExtendedKeyUsage,
    extra: x509.Extension[],
    notAfter: Date,
    keyUsages = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    validFrom = notBefore,
  ) => {
    const keys = await keyPair();
    const cert = await x509.X509CertificateGenerator.create({
      subject,
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore: validFrom,
      notAfter,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(keyUsages, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
        ...extra,
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
  };

  return {
    caPem: `${root.toString('pem')}\n${ca.toString('pem')}\n`,
    issueOrganisation: ({ cn, ou, o, usage = 'AUTH_CLI', notBefore: from, notAfter }) =>
      issue(
        dn({ C: 'FR', O: o, OU: ou, CN: cn }),
        usage === 'SIGN' ? x509.ExtendedKeyUsage.emailProtection : x509.ExtendedKeyUsage.clientAuth,
        [new x509.CertificatePolicyExtension([testPolicy])],
        notAfter ?? years(3),
        usage === 'SIGN'
          ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation
          : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        from ?? notBefore,
      ),
    issueServer: (hostnames = ['localhost']) =>
      issue(
        dn({ C: 'FR', O: 'CONFIANCE BAC A SABLE', CN: hostnames[0] ?? 'localhost' }),
        x509.ExtendedKeyUsage.serverAuth,
        [
          new x509.SubjectAlternativeNameExtension([
            ...hostnames.map((value) => ({ type: 'dns' as const, value })),
            { type: 'ip', value: '127.0.0.1' },
          ]),
        ],
        years(1),
      ),
  };
}
