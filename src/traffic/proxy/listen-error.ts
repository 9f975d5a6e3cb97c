import { ProxyError } from './errors.js';

/** A bind failure as the admin API reports it (409 when the address is taken). */
export function listenError(err: NodeJS.ErrnoException, table: { environment: string; listen: string }): ProxyError {
  const where = `listen address ${table.listen} of environment "${table.environment}"`;
  const details = { environment: table.environment, listen: table.listen, code: err.code };
  if (err.code === 'EADDRINUSE') return new ProxyError('conflict', `${where} is already in use`, details);
  if (err.code === 'EACCES')
    return new ProxyError('invalid_input', `${where}: permission denied (ports below 1024 need privileges)`, details);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
    return new ProxyError('invalid_input', `${where} is not an address of this machine`, details);
  return new ProxyError('unavailable', `${where} could not be opened: ${err.message}`, details);
}
