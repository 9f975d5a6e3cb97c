/**
 * The static server as a process — what a service with `static:` runs (src/config/static-command.ts
 * writes its command line). A start failure prints one line naming the path on stderr and exits 1,
 * so the deployment's crash report says why; SIGTERM closes gracefully and exits 0.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { messageOf } from '../shared/errors.js';
import { parseStaticArgs, type StaticServerOptions, usage } from './options.js';
import { type RunningStaticServer, startStaticServer } from './server.js';

const say = (line: string) => process.stderr.write(`slipway static: ${line}\n`);

export async function runStaticProcess(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  let options: StaticServerOptions;
  try {
    options = parseStaticArgs(argv, env);
  } catch (e) {
    say(`${messageOf(e)} (${usage})`);
    process.exit(2);
  }
  let running: RunningStaticServer;
  try {
    running = await startStaticServer(options, say);
  } catch (e) {
    say(messageOf(e));
    process.exit(1);
  }
  for (const warning of running.outcome.warnings) say(`warning: ${warning}`);
  const { manifest } = running.outcome.release;
  process.stdout.write(
    `slipway static: release ${options.release} (tree ${manifest.tree.slice(0, 12)}, ` +
      `${Object.keys(manifest.files).length} files, ${running.outcome.source}) on ${options.host}:${running.port}, ` +
      `earlier releases served: ${options.keep}\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    running.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) void runStaticProcess();
