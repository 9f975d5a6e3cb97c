import { RuntimeError } from '../local/errors.js';

/** One SSH host instances run on: `ssh://user@host[:port][/dir]`. */
export interface HostAddress {
  user: string;
  /** Host name or IP; instances on this host listen on it, and the proxy routes to it. */
  host: string;
  port: number;
  /** Where Slipway keeps releases, instance logs and its host script; relative paths are under the user's home. */
  dir: string;
  /** `user@host:port`: how messages and handles name the host. */
  label: string;
}

const userPattern = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const hostPattern = /^[A-Za-z0-9.-]{1,253}$/;
const dirPattern = /^[A-Za-z0-9._/-]{1,200}$/;

/** Parse `ssh://user@host[:port][/dir]`; the error names what is wrong and where (`at`, e.g. a key path). */
export function parseHostAddress(text: string, at = 'hosts'): HostAddress {
  const bad = (problem: string) =>
    new RuntimeError('invalid_input', `${at}: ${JSON.stringify(text)} ${problem} (expected ssh://user@host[:port])`, {
      field: at,
    });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('is not a URL');
  }
  if (url.protocol !== 'ssh:') throw bad('must start with ssh://');
  if (url.password) throw bad('must not hold a password (keys come from secrets or the SSH agent)');
  const user = decodeURIComponent(url.username);
  if (!userPattern.test(user)) throw bad('needs a user name (ssh://user@host)');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!hostPattern.test(host)) throw bad('needs a host name or IPv4 address');
  const port = url.port === '' ? 22 : Number(url.port);
  if (url.search || url.hash) throw bad('must not have a query or fragment');
  const path = decodeURIComponent(url.pathname);
  const dir = path === '' || path === '/' ? '.slipway' : path;
  if (!dirPattern.test(dir) || text.includes('/..') || text.includes('/./'))
    throw bad('has a directory that is not a plain path');
  return { user, host, port, dir, label: `${user}@${host}:${port}` };
}
