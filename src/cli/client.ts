import { request } from 'undici';
import { codeOfHttpStatus, SlipwayError } from '../shared/errors.js';
import { CliError } from './errors.js';

/** The coordinator API as the CLI sees it: JSON in and out, errors as SlipwayErrors with the API's code and message. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /** Send a request; resolves with the parsed JSON body of a 2xx answer. */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const text = await res.body.text();
    const parsed = text ? safeJson(text) : undefined;
    if (res.statusCode >= 200 && res.statusCode < 300) return parsed as T;
    throw errorFrom(res.statusCode, parsed, text);
  }

  /** A streaming GET (server-sent events or text); the caller reads `body`. */
  async stream(path: string, accept: string, signal?: AbortSignal, headers: Record<string, string> = {}) {
    const res = await this.send('GET', path, undefined, { accept, ...headers }, signal, 0);
    if (res.statusCode >= 300) {
      const text = await res.body.text();
      throw errorFrom(res.statusCode, safeJson(text), text);
    }
    return res.body;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
    bodyTimeout = 60_000,
  ) {
    try {
      return await request(new URL(path, this.baseUrl), {
        method: method as 'GET',
        headers: this.headers({ ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }),
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal,
        headersTimeout: 60_000,
        bodyTimeout,
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (
        code === 'ECONNREFUSED' ||
        code === 'UND_ERR_CONNECT_TIMEOUT' ||
        code === 'ENOTFOUND' ||
        code === 'EHOSTUNREACH'
      ) {
        throw new CliError(
          'unavailable',
          `the coordinator is not running at ${this.baseUrl} — start it with \`slipway up\` (or set SLIPWAY_URL)`,
        );
      }
      throw new CliError('unavailable', `cannot reach the coordinator at ${this.baseUrl}: ${(e as Error).message}`);
    }
  }
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
