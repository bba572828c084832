import { setTimeout as sleep } from 'node:timers/promises';

/** The API refused the request for good (bad key, bad parameter, expired page…): retrying would not help. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Requests started per second at most (the national limit is 17). */
  requestsPerSecond: number;
  /** Seconds before a request is abandoned (the national gateway gives up at 30). */
  timeoutSeconds?: number;
  /** Attempts per request on 429, 5xx and time-outs. */
  maxAttempts?: number;
  /** First back-off delay in milliseconds, doubled on each retry. */
  backoffMs?: number;
  fetch?: typeof fetch;
}

export interface ClientStats {
  requests: number;
  retries: number;
  throttled: number;
}

const retryable = (status: number) => status === 429 || status >= 500;

function diagnostics(body: string): string {
  try {
    const parsed = JSON.parse(body) as { issue?: Array<{ diagnostics?: string }> };
    return (
      parsed.issue
        ?.map((i) => i.diagnostics)
        .filter(Boolean)
        .join(' ; ') || body.slice(0, 200)
    );
  } catch {
    return body.slice(0, 200);
  }
}

/**
 * A client of the Annuaire Santé FHIR API: the `ESANTE-API-KEY` header, requests spaced to stay under the rate
 * limit, retries with exponential back-off (honouring `Retry-After`) on 429, 5xx and time-outs. It only follows
 * URLs of the configured API, so the key never leaves for another host.
 */
export class AnnuaireClient {
  readonly stats: ClientStats = { requests: 0, retries: 0, throttled: 0 };
  private nextSlot = 0;
  private readonly origin: string;

  constructor(private readonly options: ClientOptions) {
    this.origin = new URL(options.baseUrl).origin;
  }

  url(path: string): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}/${path}`;
  }

  async get(url: string): Promise<unknown> {
    if (new URL(url).origin !== this.origin)
      throw new ApiError(
        `Lien refusé : ${new URL(url).origin} n’est pas l’API configurée (${this.origin}).`,
        0,
      );
    const maxAttempts = this.options.maxAttempts ?? 6;
    const backoff = this.options.backoffMs ?? 500;
    const doFetch = this.options.fetch ?? fetch;
    for (let attempt = 1; ; attempt++) {
      await this.throttle();
      this.stats.requests++;
      let status = 0;
      let body = '';
      let retryAfter: number | null = null;
      try {
        const response = await doFetch(url, {
          headers: { 'ESANTE-API-KEY': this.options.apiKey, accept: 'application/fhir+json' },
          signal: AbortSignal.timeout((this.options.timeoutSeconds ?? 30) * 1000),
        });
        status = response.status;
        body = await response.text();
        const header = response.headers.get('retry-after');
        retryAfter = header && /^\d+$/.test(header) ? Number(header) * 1000 : null;
        if (response.ok) {
          try {
            return JSON.parse(body);
          } catch {
            throw new ApiError(`Réponse illisible (JSON invalide) pour ${new URL(url).pathname}.`, status);
          }
        }
      } catch (error) {
        if (error instanceof ApiError) throw error;
        status = 0;
        body = error instanceof Error ? error.message : String(error);
      }
      if (status === 429) this.stats.throttled++;
      if ((status !== 0 && !retryable(status)) || attempt >= maxAttempts)
        throw new ApiError(
          status === 0
            ? `API injoignable après ${attempt} tentative(s) : ${body}`
            : `HTTP ${status} après ${attempt} tentative(s) : ${diagnostics(body)}`,
          status,
        );
      this.stats.retries++;
      const delay = Math.min(30_000, backoff * 2 ** (attempt - 1));
      await sleep(Math.max(retryAfter ?? 0, delay * (0.75 + Math.random() * 0.5)));
    }
  }

  /** Spaces request starts by 1/rate seconds, the steadiest way to stay under a per-second limit. */
  private async throttle(): Promise<void> {
    const interval = 1000 / this.options.requestsPerSecond;
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await sleep(slot - now);
  }
}
