import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.ts';
import type { TypedApp } from '../../http/typed.ts';
import { databaseAdapter } from '../oidc/adapter.ts';

/**
 * Logging out of Pro Santé Connect on the user's explicit logout only (research/auth.md §1.8): when a person who
 * came through PSC confirms the logout at Confiance, the browser goes through PSC's end_session before the DUI's
 * post-logout address. A session that expires does not touch PSC.
 */
export const pscLogoutPath = '/connexion/psc/deconnexion';

/** Remembers the PSC id_token of an account's login, for the logout. */
export function pscIdTokens(ctx: AppContext) {
  const store = new (databaseAdapter(ctx.database))('PscIdToken');
  return {
    keep: (sub: string, idToken: string, seconds: number) => store.upsert(sub, { idToken }, seconds),
    take: async (sub: string) => {
      const found = await store.find(sub);
      await store.destroy(sub);
      return typeof found?.idToken === 'string' ? found.idToken : null;
    },
  };
}

/** Wraps the provider's logout confirmation: a redirect back to the DUI becomes a detour through PSC. */
export function pscLogoutDetour(ctx: AppContext, provider: Provider): void {
  const tokens = pscIdTokens(ctx);
  const pending = new (databaseAdapter(ctx.database))('PscLogout');
  provider.use(async (koa, next) => {
    const confirming = koa.method === 'POST' && koa.path === '/session/end/confirm' && ctx.psc;
    const sub = confirming ? (await provider.Session.get(koa)).accountId : undefined;
    await next();
    if (!confirming || !sub || !ctx.psc || koa.status !== 303) return;
    const idToken = await tokens.take(sub);
    if (!idToken) return;
    const state = randomBytes(24).toString('base64url');
    await pending.upsert(state, { next: koa.response.get('location') }, 600);
    const url = new URL(await ctx.psc.logoutUrl(idToken, `${ctx.config.baseUrl}${pscLogoutPath}`));
    url.searchParams.set('state', state);
    koa.redirect(url.href);
  });
}

/** Where PSC sends the browser back after its logout: on to the DUI's address. */
export async function pscLogoutReturn(app: TypedApp, ctx: AppContext): Promise<void> {
  const pending = new (databaseAdapter(ctx.database))('PscLogout');
  app.get(
    pscLogoutPath,
    {
      schema: {
        hide: true,
        querystring: Type.Object({ state: Type.Optional(Type.String({ maxLength: 100 })) }),
      },
    },
    async (request, reply) => {
      const state = request.query.state ?? '';
      const found = state ? await pending.find(state) : undefined;
      if (state) await pending.destroy(state);
      const next = typeof found?.next === 'string' && found.next ? found.next : '/';
      return reply.redirect(next, 303);
    },
  );
}
