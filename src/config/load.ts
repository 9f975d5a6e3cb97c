/** slipway.yaml → ProjectConfig: read, parse YAML, validate, and point every problem at its line. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue, formatPath } from './errors.js';
import type { ProjectConfig } from './model.js';
import { checkConfigObject } from './validate.js';
import { unfilledPlaceholders } from '../notify/filled-by.js';
import { missingCommands } from './check-commands.js';
import { locate } from './yaml-lines.js';
import { keepScalarsAsWritten } from './yaml-scalars.js';

/** The file `loadConfig` reads when given no path. */
export const defaultConfigFile = 'slipway.yaml';

/**
 * Read and validate a slipway.yaml (default ./slipway.yaml). Relative paths in it resolve
 * against its directory. Throws ConfigError: not_found when the file is missing, otherwise
 * invalid_input listing every problem with its line.
 */
export async function loadConfig(file: string = defaultConfigFile): Promise<ProjectConfig> {
  return (await loadConfigWithRaw(file)).config;
}

/**
 * Like loadConfig, and also the file as plain data (what the CLI sends to the coordinator,
 * which validates it again with validateConfigObject).
 */
export async function loadConfigWithRaw(
  file: string = defaultConfigFile,
): Promise<{ config: ProjectConfig; raw: unknown }> {
  const absolute = path.resolve(file);
  const text = await readConfigText(absolute, file);
  const { doc, lineCounter, raw } = parseYaml(text, file);
  return { config: checkParsed(doc, lineCounter, raw, { file, baseDir: path.dirname(absolute) }), raw };
}

async function readConfigText(absolute: string, file: string): Promise<string> {
  try {
    return await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const message = `no config file at ${absolute}; run "slipway init" to write one`;
      throw new ConfigError([{ path: '', message, file }], 'not_found', message);
    }
    const message = `cannot read config file ${absolute}: ${(error as Error).message}`;
    throw new ConfigError([{ path: '', message, file }], 'invalid_input', message);
  }
}

/**
 * Like loadConfigWithRaw, and also what `slipway validate` warns about without refusing the file:
 * commands this machine would run but cannot find (see check-commands.ts), and templates naming a placeholder a
 * subscription's trigger never fills (notify/filled-by.ts), each with its line.
 */
export async function loadConfigWithWarnings(
  file: string = defaultConfigFile,
): Promise<{ config: ProjectConfig; raw: unknown; warnings: ConfigIssue[] }> {
  const absolute = path.resolve(file);
  const text = await readConfigText(absolute, file);
  const { doc, lineCounter, raw } = parseYaml(text, file);
  const config = checkParsed(doc, lineCounter, raw, { file, baseDir: path.dirname(absolute) });
  const warnings = [...missingCommands(config), ...unfilledPlaceholders(config.notifications)].map((w): ConfigIssue => {
    const { line, column } = locate(doc, lineCounter, w.path);
    return { path: formatPath(w.path), message: w.message, file, line, column };
  });
  return { config, raw, warnings };
}

/**
 * Validate slipway.yaml text. `file` names it in messages (e.g. "slipway.yaml"); `baseDir` is
 * its directory, against which relative paths resolve.
 */
export function parseConfig(text: string, options: { file: string; baseDir: string }): ProjectConfig {
  const { doc, lineCounter, raw } = parseYaml(text, options.file);
  return checkParsed(doc, lineCounter, raw, options);
}

/** YAML text → document (for line lookups) and plain data; syntax errors become issues with line:col. */
function parseYaml(text: string, file: string): { doc: Document; lineCounter: LineCounter; raw: unknown } {
  const lineCounter = new LineCounter();
  // prettyErrors off: the message stays one line and the position comes from the line counter.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error): ConfigIssue => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: '', message: `YAML syntax error: ${error.message}`, file, line, column: col };
      }),
    );
  }
  keepScalarsAsWritten(doc);
  return { doc, lineCounter, raw: toObject(doc, file) };
}

/** Validate parsed data; every issue is pointed at its line in the document. */
function checkParsed(
  doc: Document,
  lineCounter: LineCounter,
  raw: unknown,
  options: { file: string; baseDir: string },
): ProjectConfig {
  const { file } = options;
  const configPath = path.resolve(options.baseDir, path.basename(file));
  const checked = checkConfigObject(raw, options.baseDir, configPath);
  if (checked.ok) return checked.config;
  const issues = checked.issues.map((issue): ConfigIssue => {
    const { line, column } = locate(doc, lineCounter, issue.path);
    return { path: formatPath(issue.path), message: issue.message, file, line, column };
  });
  // File order reads top to bottom; sort is stable, so issues on one line keep their order.
  issues.sort((a, b) => a.line! - b.line! || a.column! - b.column!);
  throw new ConfigError(issues);
}

/** The document as plain data; alias expansion is capped so a small file cannot expand into gigabytes. */
function toObject(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError([{ path: '', message: `cannot read YAML: ${(error as Error).message}`, file }]);
  }
}
