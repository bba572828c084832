/**
 * A browser without a browser: follows redirects by hand and keeps cookies per host, so that login flows can be
 * driven by tests and benchmarks with plain HTTP.
 */
export class HttpSession {
  private readonly jar = new Map<string, Map<string, string>>();

  private cookieHeader(url: URL): string {
    return [...(this.jar.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(url: URL, res: Response): void {
    const cookies = this.jar.get(url.host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(url.host, cookies);
  }

  /** One request, no redirect followed. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(u);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(u, { ...init, headers, redirect: 'manual' });
    this.keep(u, res);
    return res;
  }

  /** Follows redirects until a page answers or `stopAt` matches the next location; returns the last response. */
  async follow(
    url: string,
    init: RequestInit = {},
    stopAt?: (location: string) => boolean,
  ): Promise<{ res: Response; url: string }> {
    let current = url;
    let res = await this.request(current, init);
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      const location = new URL(res.headers.get('location') ?? '', current).href;
      await res.body?.cancel();
      if (stopAt?.(location)) return { res, url: location };
      current = location;
      res = await this.request(current);
    }
    return { res, url: current };
  }

  /** Posts a form (urlencoded) and follows the redirects. */
  postForm(url: string, fields: Record<string, string>, stopAt?: (location: string) => boolean) {
    return this.follow(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      },
      stopAt,
    );
  }
}
