import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { isRpps } from '../../directory/identifiers.ts';
import { type Situation, situationsOf } from './situations.ts';

export interface PscSettings {
  /** The realm's `.well-known/wallet-openid-configuration` URL. */
  discoveryUrl: string;
  clientId: string;
  /** A client secret, or mutual TLS with the structure's certificate (`tls`), as PSC allows either. */
  clientSecret?: string | null;
  tls?: { certPem: string; keyPem: string; caPem?: string | null } | null;
}

/** What a PSC login tells the hub about the professional. */
export interface PscIdentity {
  idNat: string;
  acr: string;
  /** `CARD` or `MOBILE` when PSC says so; otherwise deduced from `amr`. */
  authMode: string | null;
  amr: string[];
  familyName: string | null;
  givenName: string | null;
  situations: Situation[];
  /** The PSC id_token, kept to log out of PSC when the user asks to. */
  idToken: string | null;
}

export class BrokerError extends Error {
  override name = 'BrokerError';
  constructor(
    readonly code: 'acr' | 'identifier' | 'upstream' | 'state',
    message: string,
  ) {
    super(message);
  }
}

/** The `acr` values PSC returns for its substantiel means: `eidas1`, and lately `eidas2` (research §1.4). */
export const acceptedAcr = ['eidas1', 'eidas2'];

export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
}

/**
 * The hub as a client of Pro Santé Connect (openid-client): discovery under PSC's own name, `scope=openid
 * scope_all`, `acr_values=eidas1`, PKCE, and an account keyed by `SubjectNameID`, never by `sub` or e-mail.
 */
export class PscBroker {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    readonly settings: PscSettings,
    readonly redirectUri: string,
    /** The hub's key, for a userinfo PSC returns encrypted (JWE); JSON and signed JWT need none. */
    private readonly decryptionKey?: () => Promise<JWK>,
  ) {}

  private config(): Promise<oidc.Configuration> {
    // Plain HTTP only for a realm on this machine (the sandbox's emulator, whose wallet page is not on TLS).
    const insecure = ['127.0.0.1', 'localhost', '[::1]'].includes(
      new URL(this.settings.discoveryUrl).hostname,
    );
    const tls = this.settings.tls;
    // With mutual TLS, every request to PSC presents the certificate; PSC's `mtls_endpoint_aliases` are used.
    const agent = tls
      ? new Agent({
          connect: { cert: tls.certPem, key: tls.keyPem, ...(tls.caPem ? { ca: tls.caPem } : {}) },
        })
      : null;
    const viaAgent: oidc.CustomFetch | undefined = agent
      ? (url, options) =>
          undiciFetch(url, { ...options, dispatcher: agent } as never) as unknown as Promise<Response>
      : undefined;
    this.configuration ??= oidc
      .discovery(
        new URL(this.settings.discoveryUrl),
        this.settings.clientId,
        tls ? { use_mtls_endpoint_aliases: true } : (this.settings.clientSecret ?? undefined),
        tls ? oidc.TlsClientAuth() : undefined,
        {
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
          ...(viaAgent ? { [oidc.customFetch]: viaAgent } : {}),
        },
      )
      .then(async (config) => {
        if (viaAgent) config[oidc.customFetch] = viaAgent;
        if (this.decryptionKey) {
          const jwk = await this.decryptionKey();
          const key = (await importJWK(jwk, 'RSA-OAEP')) as CryptoKey;
          oidc.enableDecryptingResponses(config, ['A256GCM', 'A128GCM'], {
            key,
            alg: 'RSA-OAEP',
            ...(jwk.kid ? { kid: jwk.kid } : {}),
          });
        }
        return config;
      })
      .catch((e: unknown) => {
        this.configuration = undefined;
        throw new BrokerError(
          'upstream',
          `Pro Santé Connect injoignable (${e instanceof Error ? e.message : String(e)}).`,
        );
      });
    return this.configuration;
  }

  async start(): Promise<{ url: string; pending: PendingLogin }> {
    const config = await this.config();
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid scope_all',
      acr_values: 'eidas1',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /** Exchanges the code, checks `acr` and reads the userinfo; refusals name what was wrong. */
  async finish(currentUrl: URL, pending: PendingLogin): Promise<PscIdentity> {
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw new BrokerError(
        'upstream',
        `Réponse de Pro Santé Connect refusée : ${e instanceof Error ? e.message : String(e)}.`,
      );
    }
    const claims = tokens.claims();
    const acr = typeof claims?.acr === 'string' ? claims.acr : '';
    if (!acceptedAcr.includes(acr))
      throw new BrokerError(
        'acr',
        `Niveau d’authentification « ${acr || 'absent'} » non accepté (eidas1 ou eidas2 attendu).`,
      );
    const info = (await oidc.fetchUserInfo(config, tokens.access_token, String(claims?.sub))) as Record<
      string,
      unknown
    >;
    const idNat = typeof info.SubjectNameID === 'string' ? info.SubjectNameID : '';
    const valid = (idNat.startsWith('8') && isRpps(idNat.slice(1))) || /^0[0-9][0-9AB][0-9]{7}$/.test(idNat);
    if (!valid)
      throw new BrokerError(
        'identifier',
        `Identifiant national « ${idNat || 'absent'} » invalide (8 + RPPS ou 0 + ADELI).`,
      );
    const amr = Array.isArray(claims?.amr) ? claims.amr.map(String) : [];
    const authMode =
      typeof info.authMode === 'string'
        ? info.authMode
        : amr.includes('sc')
          ? 'CARD'
          : amr.length > 0
            ? 'MOBILE'
            : null;
    return {
      idNat,
      acr,
      authMode,
      amr,
      familyName: typeof info.family_name === 'string' ? info.family_name : null,
      givenName: typeof info.given_name === 'string' ? info.given_name : null,
      situations: situationsOf(info),
      idToken: tokens.id_token ?? null,
    };
  }

  /** Where to send the browser to end the PSC session, on the user's explicit logout only. */
  async logoutUrl(idToken: string, postLogoutRedirectUri: string): Promise<string> {
    const config = await this.config();
    return oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: postLogoutRedirectUri,
    }).href;
  }
}
