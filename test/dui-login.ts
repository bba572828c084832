import * as oidc from 'openid-client';
import { addClient } from '../src/auth/oidc/clients.ts';
import type { ServiceProfile } from '../src/auth/policy/sensitive.ts';
import type { Database } from '../src/db/connect.ts';

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

/** A DUI reachable from outside and feeding the DMP: a sensitive service, as most DUIs are. */
export const exposedProfile: ServiceProfile = {
  processesHealthData: true,
  shared: false,
  integratesShared: true,
  externalAccess: true,
  newUsagersPerYear: 50,
  professionalsPerYear: 20,
};

/** Registers a DUI with a secret for tests and benchmarks. */
export async function addTestDui(
  database: Database,
  o: { name: string; redirectUri: string; profile?: ServiceProfile; structureFiness?: string },
): Promise<{ clientId: string; clientSecret: string }> {
  const added = await addClient(
    database,
    {
      name: o.name,
      redirectUris: [o.redirectUri],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      auth: { method: 'client_secret_basic' },
      profile: o.profile ?? exposedProfile,
      structureFiness: o.structureFiness ?? null,
    },
    'test',
  );
  return { clientId: added.clientId, clientSecret: added.clientSecret as string };
}
