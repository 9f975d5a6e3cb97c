import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { codeOfHttpStatus, SlipwayError } from '../shared/errors.js';
import { redactUrl } from './coordinator-url.js';
import { CliError } from './errors.js';

/** Socket errors that mean "nothing listens there". */
const unreachable = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN']);
/** How long a request may wait for the answer's headers. */
const headersTimeoutMs = 60_000;

/**
 * The coordinator API as the CLI sees it: JSON in and out, errors as SlipwayErrors with the API's
 * code and message. Plain node:http — a read command's whole life is a few milliseconds of it, so
 * it does not load an HTTP library (see bench/cli.ts).
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    /** How long to keep retrying a 503 with Retry-After (a leader election under way) before giving up. */
    private readonly unavailableForMs = 15_000,
  ) {}

  /**
   * Send a request; resolves with the parsed JSON body of a 2xx answer. A 503 with Retry-After (a follower
   * while no coordinator holds the lease: the request was not carried out) is sent again after the delay it
   * asks for, for up to `unavailableForMs`, so a command run during a leader election waits it out.
   */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const giveUpAt = Date.now() + this.unavailableForMs;
    for (;;) {
      const res = await this.send(method, path, body);
      const text = await readText(res);
      const parsed = text ? safeJson(text) : undefined;
      if (res.statusCode! >= 200 && res.statusCode! < 300) return parsed as T;
      const wait = retryAfterMs(res);
      if (res.statusCode !== 503 || wait === undefined || Date.now() + wait > giveUpAt)
        throw errorFrom(res.statusCode!, parsed, text);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** A streaming GET (server-sent events or text); the caller reads the answer's body. */
  async stream(
    path: string,
    accept: string,
    signal?: AbortSignal,
    headers: Record<string, string> = {},
  ): Promise<AsyncIterable<Buffer>> {
    const res = await this.send('GET', path, undefined, { accept, ...headers }, signal);
    if (res.statusCode! >= 300) {
      const text = await readText(res);
      throw errorFrom(res.statusCode!, safeJson(text), text);
    }
    return res;
  }

  private send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    const url = new URL(path, this.baseUrl);
    const payload = body !== undefined ? JSON.stringify(body) : undefined;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method,
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...headers,
        },
        ...(signal ? { signal } : {}),
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`no answer within ${headersTimeoutMs / 1000}s`)),
        headersTimeoutMs,
      );
      req.once('response', (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      req.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (signal?.aborted) return reject(signal.reason ?? e);
        if (e.code && unreachable.has(e.code))
          return reject(
            new CliError(
              'unavailable',
              `the coordinator is not running at ${redactUrl(this.baseUrl)} — start it with \`slipway up\` ` +
                '(or set SLIPWAY_URL)',
            ),
          );
        reject(new CliError('unavailable', `cannot reach the coordinator at ${redactUrl(this.baseUrl)}: ${e.message}`));
      });
      req.end(payload);
    });
  }
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFrom(status: number, body: unknown, text: string): SlipwayError {
  const error = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)
    ?.error;
  if (error?.message)
    return new SlipwayError(
      (error.code as SlipwayError['code']) ?? codeOfHttpStatus(status),
      error.message,
      error.details,
    );
  return new SlipwayError(codeOfHttpStatus(status), `the coordinator answered ${status}: ${text.slice(0, 200)}`);
}

/** Retry-After in milliseconds when it is a small number of seconds (HTTP dates and long waits are not retried). */
function retryAfterMs(res: IncomingMessage): number | undefined {
  const raw = res.headers['retry-after'];
  const seconds = typeof raw === 'string' && /^\d{1,2}$/.test(raw.trim()) ? Number(raw) : undefined;
  return seconds === undefined ? undefined : Math.max(100, seconds * 1000);
}
