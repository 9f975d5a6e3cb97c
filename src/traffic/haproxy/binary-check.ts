import { runBinary } from './config-check.js';

/** The oldest HAProxy this adapter drives: dynamic servers, map versions and `show events` as 2.6 has them. */
export const minimumVersion = [2, 6] as const;

/** What `haproxy -v` says about a binary, as data: its version, or why it cannot serve as the data plane. */
export type BinaryCheck = { ok: true; version: string } | { ok: false; problem: string };

/** Run `<binary> -v` and compare its version with the minimum. Never throws. */
export async function checkHaproxyBinary(binary: string): Promise<BinaryCheck> {
  const run = await runBinary(binary, ['-v'], 10_000).catch((e: Error) => ({ code: -1, output: '', error: e }));
  if ('error' in run) {
    const code = /\((E[A-Z]+)\)/.exec(run.error.message)?.[1];
    return {
      ok: false,
      problem: code === 'ENOENT' ? 'does not exist' : `cannot be run (${code ?? run.error.message})`,
    };
  }
  const version = /HA-?Proxy version (\d+)\.(\d+)(\S*)/i.exec(run.output);
  if (run.code !== 0 || !version)
    return { ok: false, problem: `is not HAProxy (\`${binary} -v\` said: ${run.output.trim().split('\n')[0] ?? ''})` };
  const [major, minor] = [Number(version[1]), Number(version[2])];
  const text = `${major}.${minor}${version[3]}`;
  if (major < minimumVersion[0] || (major === minimumVersion[0] && minor < minimumVersion[1]))
    return { ok: false, problem: `is HAProxy ${text}, older than the ${minimumVersion.join('.')} Slipway needs` };
  return { ok: true, version: text };
}
