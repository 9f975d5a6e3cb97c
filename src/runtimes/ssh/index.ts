/** The SSH hosts runtime: instances on other machines over SSH, agentless. */
export { SshRuntime, type SshRuntimeOptions } from './ssh-runtime.js';
export { parseHostAddress, type HostAddress } from './host-address.js';
export type { HostCredentials } from './host-connection.js';
export type { SshHandle } from './ssh-handle.js';
