/** `host:port` addresses as used for listeners, upstreams and the admin API. */
export interface HostPort {
  host: string;
  port: number;
}

// IPv6 literals must be bracketed ("[::1]:8080") so the last colon is always the port separator.
const hostPortPattern = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/?#@]+)):(\d{1,5})$/;

/** Parse "host:port" or "[v6]:port"; undefined when the text is not one (callers say where). */
export function parseHostPort(text: string): HostPort | undefined {
  const m = hostPortPattern.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2]!, port };
}

/** Render an address back to "host:port" (brackets around IPv6). */
export function formatHostPort(address: HostPort): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** True for addresses only this machine can reach; the admin API refuses anything else. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
