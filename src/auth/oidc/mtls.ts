import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import * as x509 from '@peculiar/x509';
import type { KoaContextWithOIDC } from 'oidc-provider';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * Mutual TLS for structures (personnes morales): the client certificate comes from the TLS connection when
 * Confiance terminates TLS, or from a header set by the TLS terminator in front of it (configured by name; the
 * terminator must drop that header from what clients send). It is trusted when it chains to a configured
 * authority (IGC Santé) and is valid now; its OU is the structure's idNat_Struct.
 */
export interface MtlsSettings {
  /** PEM of the trusted authorities (root and organisations CA of IGC Santé). */
  caPem: string;
  /** Header carrying the URL-encoded PEM client certificate, or null when Confiance terminates TLS. */
  header: string | null;
}

const pemOf = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END CERTIFICATE-----\n`;

export function certificateFrom(
  ctx: Pick<KoaContextWithOIDC, 'get' | 'req'>,
  settings: MtlsSettings,
): string | undefined {
  if (settings.header) {
    const value = ctx.get(settings.header);
    if (!value) return undefined;
    try {
      const pem = decodeURIComponent(value);
      return pem.includes('-----BEGIN CERTIFICATE-----') ? pem : undefined;
    } catch {
      return undefined;
    }
  }
  const socket = ctx.req.socket;
  if (socket instanceof TLSSocket) {
    const peer = socket.getPeerCertificate(false);
    return peer?.raw ? pemOf(peer.raw) : undefined;
  }
  return undefined;
}

/** Authorities of the settings, parsed once. */
export function trustStore(settings: MtlsSettings): x509.X509Certificate[] {
  return [...settings.caPem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(
    (m) => new x509.X509Certificate(m[0]),
  );
}

/** The certificate chains to a trusted authority, every link signed by the next and valid at `now`. */
export async function certificateTrusted(
  pem: string,
  authorities: x509.X509Certificate[],
  now = new Date(),
): Promise<boolean> {
  try {
    const cert = new x509.X509Certificate(pem);
    const chain = await new x509.X509ChainBuilder({ certificates: authorities }).build(cert);
    const last = chain[chain.length - 1];
    if (chain.length < 2 || !last || !authorities.some((a) => a.equal(last))) return false;
    for (let i = 0; i < chain.length; i++) {
      const c = chain[i] as x509.X509Certificate;
      if (c.notBefore > now || c.notAfter < now) return false;
      const issuer = chain[i + 1] ?? c;
      if (!(await c.verify({ publicKey: issuer.publicKey, signatureOnly: true }))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** The idNat_Struct a certificate names (its OU), e.g. `1` + FINESS or `3` + SIRET. */
export function idNatStructOf(pem: string): string | null {
  try {
    return new x509.Name(new x509.X509Certificate(pem).subject).getField('OU')[0] ?? null;
  } catch {
    return null;
  }
}
