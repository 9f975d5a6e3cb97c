/** Raw object → model or every problem with it: schema first, then cross-field checks, in one pass. */
import path from 'node:path';
import { crossFieldIssues } from './checks.js';
import { ConfigError, type ConfigIssue, formatPath } from './errors.js';
import { configErrorMap, type RawIssue, toRawIssues } from './messages.js';
import type { ProjectConfig } from './model.js';
import { normalizeConfig } from './normalize.js';
import { configSchema } from './schema.js';

/** The outcome of checking a raw config: the model, or the problems (key paths as segments). */
export type CheckedConfig = { ok: true; config: ProjectConfig } | { ok: false; issues: RawIssue[] };

/** Validate and normalize without throwing; the loaders locate issues in the file. */
export function checkConfigObject(raw: unknown, baseDir: string, configPath?: string): CheckedConfig {
  const parsed = configSchema.safeParse(raw, { error: configErrorMap });
  const issues = [...(parsed.success ? [] : toRawIssues(parsed.error.issues)), ...crossFieldIssues(raw)];
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, config: normalizeConfig(parsed.data, baseDir, configPath) };
}

/**
 * Validate a config received as a raw object (the API gets slipway.yaml as JSON): issues carry
 * key paths but no lines. Relative paths in it resolve against `baseDir`.
 */
export function validateConfigObject(raw: unknown, options: { baseDir: string; file?: string }): ProjectConfig {
  const configPath =
    options.file === undefined ? undefined : path.resolve(options.baseDir, path.basename(options.file));
  const checked = checkConfigObject(raw, options.baseDir, configPath);
  if (checked.ok) return checked.config;
  throw new ConfigError(
    checked.issues.map(
      (issue): ConfigIssue => ({
        path: formatPath(issue.path),
        message: issue.message,
        ...(options.file === undefined ? {} : { file: options.file }),
      }),
    ),
  );
}
