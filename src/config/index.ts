/** The config module: slipway.yaml parsed once, at the edge, into the typed model. */
export { ConfigError, type ConfigIssue, formatIssue } from './errors.js';
export { configJsonSchema, renderConfigJsonSchema, schemaFile } from './json-schema.js';
export { defaultConfigFile, loadConfig, parseConfig } from './load.js';
export type * from './model.js';
export { checkVersion, resolveRelease, serviceIn } from './resolve.js';
export { parseSetFlags } from './set-flags.js';
export { starterConfig } from './starter.js';
export { defaultStrategy, instancesOf, isStrategyType, strategyTypes } from './strategy.js';
export { validateConfigObject } from './validate.js';
