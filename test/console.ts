import type { TypedApp } from '../src/http/typed.ts';

/** A console agent for route tests: signs in with a token, then gets pages and posts forms with its cookie. */
export function consoleAgent(app: TypedApp) {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  return {
    csrfOf: (body: string) => /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? '',
    async signIn(token: string, retour = '/'): Promise<string> {
      const res = await app.inject({
        method: 'POST',
        url: '/session',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({ jeton: token, retour }),
      });
      if (res.statusCode !== 303) throw new Error(`sign-in refused (${res.statusCode})`);
      return String(res.headers['set-cookie']).split(';')[0] as string;
    },
    get: (url: string, cookie: string) => app.inject({ url, headers: { cookie } }),
    post: (url: string, fields: Record<string, string>, cookie: string) =>
      app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: form(fields),
      }),
  };
}
