import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { BrokerError } from './psc.ts';

export interface FranceConnectSettings {
  /** The FC+ issuer, e.g. `https://auth.franceconnect.gouv.fr/api/v2`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** The identité pivot FranceConnect+ returns, with how it was obtained. */
export interface FranceConnectIdentity {
  /** Pairwise: the same person has another `sub` at another service provider. */
  sub: string;
  acr: string;
  amr: string[];
  givenName: string | null;
  familyName: string | null;
  birthdate: string | null;
  gender: string | null;
  birthplace: string | null;
  birthcountry: string | null;
  preferredUsername: string | null;
  email: string | null;
  idToken: string | null;
}

export interface PendingFcLogin {
  state: string;
  nonce: string;
  acr: 'eidas2' | 'eidas3';
}

const levels = ['eidas2', 'eidas3'];
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The hub as a service provider of FranceConnect+ (openid-client): ES256 signatures, id_token and userinfo
 * decrypted with the hub's RSA-OAEP key, `acr_values` eidas2/eidas3 and the returned `acr` checked against it,
 * state and nonce of 43 characters, logout at `/session/end`.
 */
export class FranceConnectBroker {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    readonly settings: FranceConnectSettings,
    readonly redirectUri: string,
    private readonly decryptionKey: () => Promise<JWK>,
  ) {}

  private config(): Promise<oidc.Configuration> {
    const insecure = this.settings.issuer.startsWith('http://');
    this.configuration ??= (async () => {
      const config = await oidc.discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        {
          client_secret: this.settings.clientSecret,
          id_token_signed_response_alg: 'ES256',
          userinfo_signed_response_alg: 'ES256',
        },
        oidc.ClientSecretPost(this.settings.clientSecret),
        insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
      const jwk = await this.decryptionKey();
      const key = (await importJWK(jwk, 'RSA-OAEP')) as CryptoKey;
      // FC+ names the key it encrypted to: the kid must match.
      oidc.enableDecryptingResponses(config, ['A256GCM'], {
        key,
        alg: 'RSA-OAEP',
        ...(jwk.kid ? { kid: jwk.kid } : {}),
      });
      return config;
    })().catch((e: unknown) => {
      this.configuration = undefined;
      throw new BrokerError(
        'upstream',
        `FranceConnect+ injoignable (${e instanceof Error ? e.message : String(e)}).`,
      );
    });
    return this.configuration;
  }

  async start(acr: 'eidas2' | 'eidas3' = 'eidas2'): Promise<{ url: string; pending: PendingFcLogin }> {
    const config = await this.config();
    const pending: PendingFcLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), acr };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid identite_pivot email preferred_username',
      acr_values: acr,
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  async finish(currentUrl: URL, pending: PendingFcLogin): Promise<FranceConnectIdentity> {
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw new BrokerError(
        'upstream',
        `Réponse de FranceConnect+ refusée : ${e instanceof Error ? e.message : String(e)}.`,
      );
    }
    const claims = tokens.claims();
    const acr = typeof claims?.acr === 'string' ? claims.acr : '';
    if (levels.indexOf(acr) < levels.indexOf(pending.acr))
      throw new BrokerError(
        'acr',
        `Niveau « ${acr || 'absent'} » inférieur au niveau demandé (${pending.acr}).`,
      );
    const sub = String(claims?.sub ?? '');
    const info = (await oidc.fetchUserInfo(config, tokens.access_token, sub)) as Record<string, unknown>;
    return {
      sub,
      acr,
      amr: Array.isArray(claims?.amr) ? claims.amr.map(String) : [],
      givenName: text(info.given_name),
      familyName: text(info.family_name),
      birthdate: text(info.birthdate),
      gender: text(info.gender),
      birthplace: text(info.birthplace),
      birthcountry: text(info.birthcountry),
      preferredUsername: text(info.preferred_username),
      email: text(info.email),
      idToken: tokens.id_token ?? null,
    };
  }
}
