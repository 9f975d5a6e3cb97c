/**
 * The path the static server answers for health checks (the config sets it as the service's
 * health.path). A dot path is never a published file, so it cannot shadow one.
 */
export const healthPath = '/.slipway/health';
