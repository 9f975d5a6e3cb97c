/**
 * How to start `slipway proxy` from the running program: the same node, loader flags (tsx in
 * tests) and CLI entry script as this process, so a built package and a source checkout both work.
 */
export function proxyCommand(admin: string, stateDir: string): [string, string[]] {
  const entry = process.argv[1];
  if (!entry) throw new Error('cannot tell which script is running (process.argv[1] is empty)');
  return [process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--inspect')), entry, 'proxy', '--admin', admin, '--state-dir', stateDir]];
}
