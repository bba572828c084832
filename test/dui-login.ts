import * as oidc from 'openid-client';

/**
 * A DUI starting a login at the hub, as any DUI should with openid-client (PKCE, state, nonce), then redeeming the
 * code it gets back.
 */
export async function duiLogin(o: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
}) {
  const config = await oidc.discovery(new URL(o.issuer), o.clientId, o.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: o.redirectUri,
    scope: o.scope,
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  return {
    config,
    url,
    redeem: (callback: URL) =>
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
  };
}
