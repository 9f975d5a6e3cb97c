import { createHash } from 'node:crypto';

/**
 * Names of HAProxy sections and servers. HAProxy allows only [A-Za-z0-9_.:-] in them, and the
 * names must stay the same while a route exists (the runtime API addresses backends by name),
 * so they are a readable slug plus a hash of what identifies the thing.
 */

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 24);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** The frontend serving one environment. */
export function frontendName(environment: string): string {
  return `e_${slug(environment)}_${hash(environment)}`;
}

/** The backend of one route with every release's servers, weighted (the untargeted split). */
export function routeBackendName(environment: string, host: string | undefined, pathPrefix: string): string {
  return `r_${slug(environment)}_${hash(`${environment}\n${host?.toLowerCase() ?? '*'}\n${pathPrefix}`)}`;
}

/** One release slot of a route: the servers of one release set, for targeted requests. */
export function slotBackendName(routeBackend: string, slot: number): string {
  return `${routeBackend}_s${slot}`;
}

/** A server: unique for the life of the state dir, so log lines name exactly one release. */
export function serverName(n: number): string {
  return `s${n}`;
}

/**
 * One configuration word, quoted for HAProxy's parser: single quotes keep everything literal
 * (no `$VAR` expansion, no `#` comment); a quote inside is closed, escaped and reopened.
 */
export function configWord(text: string): string {
  if (/^[A-Za-z0-9_.:/@%+=~-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", "'\\''")}'`;
}
