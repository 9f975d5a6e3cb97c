import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { ProjectConfig } from './model.js';

/** A command this machine would run that it cannot find: where it is configured, and why. */
export interface MissingCommand {
  /** Key path as segments (services → name → command). */
  path: (string | number)[];
  message: string;
}

/**
 * The commands instances and gates would run on this machine (the local runtime runs them here),
 * checked against PATH or, for a path, the file system. A warning, not an error: the config may be
 * validated on a machine that does not run them (a CI runner checking production's file).
 */
export function missingCommands(config: ProjectConfig, env: NodeJS.ProcessEnv = process.env): MissingCommand[] {
  const out: MissingCommand[] = [];
  const check = (where: (string | number)[], command: string, cwd: string) => {
    const problem = findCommand(command, cwd, env);
    if (problem) out.push({ path: where, message: problem });
  };
  for (const service of config.services) {
    check(['services', service.name, 'command'], service.command, service.cwd);
    for (const [version, release] of Object.entries(service.releases))
      if (release.command)
        check(['services', service.name, 'releases', version, 'command'], release.command, release.cwd ?? service.cwd);
  }
  for (const environment of config.environments)
    for (const [i, gate] of (environment.gates?.before ?? []).entries())
      check(['environments', environment.name, 'gates', 'before', i, 'command'], gate.command, gate.cwd);
  return out;
}

/** Why `command` cannot be run from `cwd`, or undefined when it can (or cannot be known before a release exists). */
function findCommand(command: string, cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  // {version} and other placeholders are filled per release: nothing to check yet.
  if (command.includes('{') || cwd.includes('{')) return undefined;
  if (command.includes('/')) {
    const file = path.resolve(cwd, command);
    if (!isExecutable(file)) return `"${command}" is not an executable file here (${file}): instances would not start`;
    return undefined;
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  if (dirs.some((dir) => isExecutable(path.join(dir, command)))) return undefined;
  return (
    `"${command}" is not on this machine's PATH: instances started here would not start (install it, or give ` +
    `its path)`
  );
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
