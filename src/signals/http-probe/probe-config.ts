import { invalidOption } from '../errors.js';

/** HTTP methods a probe may use. */
export const probeMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** What a probe's answer must look like. */
export interface HttpProbeExpectation {
  /** Default 200. */
  status?: number;
  /** The body must contain this text. */
  bodyContains?: string;
  /** Dotted path into the JSON body → expected value, e.g. { premium: 102668.99, "quote.vesselClass": "tanker" }. */
  json?: Record<string, unknown>;
  /** The answer must come from the candidate: the release header (default x-release) must name it. */
  release?: boolean;
}

/** One synthetic request sent to the candidate. */
export interface HttpProbe {
  /** Metric name of its measurement, e.g. "known-quote". */
  name: string;
  method?: (typeof probeMethods)[number];
  /** Path (and query) on the proxy, starting with "/". */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  expect: HttpProbeExpectation;
}

/** Where to send probes and how often. */
export interface HttpProbeSignalSourceConfig {
  /** The environment's proxy address, e.g. http://127.0.0.1:8081. */
  url: string;
  probes: HttpProbe[];
  /** Pause between rounds of probes (default 1,000 ms). */
  intervalMs?: number;
  /** Per probe (default 5,000 ms); a slower answer is a failed check. */
  timeoutMs?: number;
  /** Response header naming the release that answered, for `expect.release` (default "x-release"). */
  releaseHeader?: string;
}

/** Check a config, throwing a SignalError that names the offending key. Returns the proxy URL parsed. */
export function checkProbeConfig(config: HttpProbeSignalSourceConfig): URL {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    invalidOption(
      'http-probe source: url',
      `${JSON.stringify(config.url)} is not a URL; expected the environment's address, e.g. http://127.0.0.1:8081`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    invalidOption('http-probe source: url', `expected an http:// or https:// URL, got ${JSON.stringify(config.url)}`);
  if (url.search || url.hash)
    invalidOption(
      'http-probe source: url',
      `expected no query or fragment (put them in a probe's path), got ${JSON.stringify(config.url)}`,
    );
  for (const key of ['intervalMs', 'timeoutMs'] as const) {
    const v = config[key];
    if (v !== undefined && (!Number.isFinite(v) || v <= 0))
      invalidOption(`http-probe source: ${key}`, `expected a positive number of ms, got ${v}`);
  }
  if (!Array.isArray(config.probes) || config.probes.length === 0)
    invalidOption('http-probe source: probes', 'expected at least one probe');
  const names = new Set<string>();
  config.probes.forEach((p, i) => {
    const where = `http-probe source: probes[${i}]`;
    if (typeof p?.name !== 'string' || p.name === '') invalidOption(`${where}.name`, 'expected a probe name');
    if (names.has(p.name)) invalidOption(`${where}.name`, `"${p.name}" is used by another probe`);
    names.add(p.name);
    if (p.method !== undefined && !probeMethods.includes(p.method))
      invalidOption(`${where}.method`, `expected one of ${probeMethods.join(', ')}, got ${JSON.stringify(p.method)}`);
    if (typeof p.path !== 'string' || !p.path.startsWith('/'))
      invalidOption(`${where}.path`, `expected a path starting with "/", got ${JSON.stringify(p.path)}`);
    if (p.body !== undefined && (p.method === undefined || p.method === 'GET' || p.method === 'HEAD'))
      invalidOption(`${where}.body`, `a body needs a method such as POST (method is ${p.method ?? 'GET'})`);
    if (typeof p.expect !== 'object' || p.expect === null)
      invalidOption(`${where}.expect`, 'expected what the answer must look like, e.g. { status: 200 }');
    const status = p.expect.status;
    if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599))
      invalidOption(`${where}.expect.status`, `expected an HTTP status 100–599, got ${status}`);
    if (
      p.expect.json !== undefined &&
      (typeof p.expect.json !== 'object' || p.expect.json === null || Array.isArray(p.expect.json))
    )
      invalidOption(
        `${where}.expect.json`,
        'expected an object of dotted paths to values, e.g. { premium: 102668.99 }',
      );
    for (const [name, value] of Object.entries(p.headers ?? {}))
      if (typeof value !== 'string')
        invalidOption(`${where}.headers.${name}`, `expected a string, got ${JSON.stringify(value)}`);
  });
  return url;
}
