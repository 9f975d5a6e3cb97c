/** The static server's command line, as the normalized config writes it (src/config/static-command.ts). */
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface StaticServerOptions {
  /** The release's build directory (absolute). */
  dir: string;
  release: string;
  port: number;
  host: string;
  /** `<dataDir>/static/<project>/<service>`. */
  store: string;
  environment: string;
  keep: number;
  spa: boolean;
  /** The route's path prefix. */
  base: string;
}

export const usage =
  'usage: slipway-static --dir BUILD --release VERSION --port PORT --store DIR [--keep N] [--spa] [--base /PREFIX] ' +
  '[--environment NAME]';

/** Parse argv; throws an Error with a one-line reason. The environment defaults to $SLIPWAY_ENVIRONMENT. */
export function parseStaticArgs(argv: string[], env: NodeJS.ProcessEnv): StaticServerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string' },
      release: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      store: { type: 'string' },
      environment: { type: 'string' },
      keep: { type: 'string', default: '0' },
      spa: { type: 'boolean', default: false },
      base: { type: 'string', default: '/' },
    },
    strict: true,
    allowPositionals: false,
  });
  const required = (name: 'dir' | 'release' | 'port' | 'store') => {
    const value = values[name];
    if (value === undefined || value === '') throw new Error(`--${name} is required`);
    return value;
  };
  const port = Number(required('port'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port ${values.port} is not a port`);
  const keep = Number(values.keep);
  if (!Number.isInteger(keep) || keep < 0 || keep > 20) throw new Error(`--keep ${values.keep} is not 0..20`);
  if (!values.base.startsWith('/')) throw new Error(`--base ${values.base} must start with /`);
  const environment = values.environment ?? env.SLIPWAY_ENVIRONMENT ?? 'default';
  return {
    dir: path.resolve(required('dir')),
    release: required('release'),
    port,
    host: values.host,
    store: path.resolve(required('store')),
    environment,
    keep,
    spa: values.spa,
    base: values.base,
  };
}
