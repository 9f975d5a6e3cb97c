/** The local runtime: instances as detached child processes on this machine. */
export { LocalRuntime, type LocalRuntimeOptions } from './local-runtime.js';
/** Errors of this runtime (command not found, cwd missing, bad spec or handle, closed runtime). */
export { RuntimeError } from './errors.js';
/** The last lines of a log file, for error messages. */
export { tailLines } from './log-reader.js';
/** The persisted shape of a local instance's handle. */
export type { LocalHandle } from './handle.js';
