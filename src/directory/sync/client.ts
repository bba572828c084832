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
  private readonly waiting: Array<{ priority: number; release: () => void }> = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly origin: string;

  constructor(private readonly options: ClientOptions) {
    this.origin = new URL(options.baseUrl).origin;
  }

  url(path: string): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}/${path}`;
  }

  /**
   * Fetches `url` at the next free slot. Among requests waiting for a slot, the one of highest `priority` goes
   * first, then the one that waited longest.
   */
  async get(url: string, priority = 0): Promise<unknown> {
    if (new URL(url).origin !== this.origin)
      throw new ApiError(
        `Lien refusé : ${new URL(url).origin} n’est pas l’API configurée (${this.origin}).`,
        0,
      );
    const maxAttempts = this.options.maxAttempts ?? 6;
    const backoff = this.options.backoffMs ?? 500;
    const doFetch = this.options.fetch ?? fetch;
    for (let attempt = 1; ; attempt++) {
      await this.throttle(priority);
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

  /**
   * Spaces request starts by 1/rate seconds, the steadiest way to stay under a per-second limit. Each slot goes to
   * the waiting request of highest priority: streams that follow `next` links can only ask for a page once the
   * previous one has arrived, and the caller decides which streams should be done first.
   */
  private throttle(priority: number): Promise<void> {
    return new Promise((release) => {
      this.waiting.push({ priority, release });
      this.releaseNext(false);
    });
  }

  /** `onTime`: called at the slot's time by its timer, so the slot counts from when it was due, not from now. */
  private releaseNext(onTime: boolean): void {
    if (this.timer || this.waiting.length === 0) return;
    const now = performance.now();
    if (this.nextSlot > now) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.releaseNext(true);
      }, this.nextSlot - now);
      return;
    }
    let chosen = 0;
    for (let i = 1; i < this.waiting.length; i++)
      if ((this.waiting[i]?.priority ?? 0) > (this.waiting[chosen]?.priority ?? 0)) chosen = i;
    const [next] = this.waiting.splice(chosen, 1);
    this.nextSlot = (onTime ? this.nextSlot : now) + 1000 / this.options.requestsPerSecond;
    next?.release();
    this.releaseNext(false);
  }
}
