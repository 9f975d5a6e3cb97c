/**
 * The signal sources the composition root (src/app/) can build. The engine sees only the
 * SignalSource interface (signal-source.ts).
 */
export { SignalError } from './errors.js';
export {
  ProxySignalSource,
  type ProxySignalSourceOptions,
  type ProxyRequestsMeasurement,
} from './proxy/proxy-source.js';
export {
  PrometheusSignalSource,
  type PrometheusSignalSourceConfig,
  type PrometheusMetric,
} from './prometheus/prometheus-source.js';
export { HttpProbeSignalSource } from './http-probe/http-probe-source.js';
export { RumSignalSource, type RumSignalSourceOptions } from './rum/rum-source.js';
export type { HttpProbeSignalSourceConfig, HttpProbe, HttpProbeExpectation } from './http-probe/probe-config.js';
