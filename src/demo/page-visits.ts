import { Agent, request } from 'undici';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { TierTally } from './tier-tally.js';

const decoders: Record<string, (b: Buffer) => Promise<Buffer>> = {
  br: promisify(brotliDecompress),
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
};

/** The page's text whatever encoding it came in (its asset names are read from it). */
async function decoded(encoding: unknown, body: Buffer): Promise<string> {
  const decode = typeof encoding === 'string' ? decoders[encoding] : undefined;
  return (decode ? await decode(body) : body).toString('utf8');
}

/**
 * Simulated visitors without a browser, open loop at `rate` visits/s: each loads the page
 * (index.html sets the release cookie) and the assets it names, then asks for a quote with that
 * cookie, as the page would. Like a browser, page and asset requests accept brotli and gzip (`acceptEncoding`;
 * `identity` asks for the files as built, several times the bytes).
 */
export class PageVisits {
  readonly tally = new TierTally();
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly agent: Agent;
  private n = 0;
  /** Asset bytes received (as sent: compressed when they were). */
  bytes = 0;

  constructor(
    private readonly url: string,
    private readonly rate: number,
    private readonly acceptEncoding = 'gzip, deflate, br',
    /** Connections to the site at most. They cap the rate at connections ÷ latency, which also keeps an overloaded
     * site from being swamped (bench:release --connections 512 on a loaded machine: the api tier answered 502s). */
    connections = 64,
  ) {
    this.agent = new Agent({ connections });
  }

  start(): void {
    const started = Date.now();
    // Every 20 ms, start the visits that are due (so 200/s is 4 per tick, not a burst each second).
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * this.rate);
      while (this.n < due) {
        this.n++;
        const visit = this.visit().finally(() => this.inFlight.delete(visit));
        this.inFlight.add(visit);
      }
    }, 20);
  }

  async stop(): Promise<TierTally> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
    await this.agent.close();
    return this.tally;
  }

  private async visit(): Promise<void> {
    let cookie: string | undefined;
    try {
      const res = await request(`${this.url}/`, {
        dispatcher: this.agent,
        headersTimeout: 15_000,
        headers: { 'accept-encoding': this.acceptEncoding },
      });
      const html = await decoded(res.headers['content-encoding'], Buffer.from(await res.body.arrayBuffer()));
      const setCookie = res.headers['set-cookie'];
      cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
      const release = res.headers['x-slipway-static-release'] as string | undefined;
      this.tally.add('page', res.statusCode === 200, release, `${res.statusCode} GET /`);
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      await Promise.all(assets.map((a) => this.asset(a, cookie)));
    } catch (e) {
      this.tally.add('page', false, undefined, `GET /: ${(e as Error).message}`);
      return;
    }
    try {
      const res = await request(`${this.url}/api/quotes`, {
        method: 'POST',
        dispatcher: this.agent,
        headersTimeout: 15_000,
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ vesselName: `Visitor ${this.n}`, tonnage: 42000, vesselClass: 'tanker', routeRisk: 3 }),
      });
      await res.body.dump();
      const release = res.headers['x-release'] as string | undefined;
      this.tally.add('api', res.statusCode === 201, release, `${res.statusCode} POST /api/quotes`);
    } catch (e) {
      this.tally.add('api', false, undefined, `POST /api/quotes: ${(e as Error).message}`);
    }
  }

  private async asset(path: string, cookie: string | undefined): Promise<void> {
    try {
      const res = await request(`${this.url}${path}`, {
        dispatcher: this.agent,
        headersTimeout: 15_000,
        headers: { 'accept-encoding': this.acceptEncoding, ...(cookie ? { cookie } : {}) },
      });
      this.bytes += (await res.body.arrayBuffer()).byteLength;
      const release = res.headers['x-slipway-static-release'] as string | undefined;
      this.tally.add('asset', res.statusCode === 200, release, `${res.statusCode} GET ${path}`);
    } catch (e) {
      this.tally.add('asset', false, undefined, `GET ${path}: ${(e as Error).message}`);
    }
  }
}
