import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { configJsonSchema } from '../../config/json-schema.js';
import { loadConfigWithWarnings } from '../../config/load.js';
import { formatIssue } from '../../config/errors.js';
import { installedSchema, starterConfig } from '../../config/starter.js';
import { CliError } from '../errors.js';
import { green, printJson, yellow } from '../output.js';
import { writeOutputFile } from '../output-file.js';
import type { GlobalOptions } from '../context.js';

export function registerConfigCommands(program: Command): void {
  program
    .command('init')
    .description('Write a commented starter slipway.yaml in this directory')
    .option('--force', 'overwrite an existing file')
    .addHelpText('after', '\nThe project is named after this directory unless --project NAME is given.\n')
    .action((opts: { force?: boolean }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const file = path.resolve(global.config ?? 'slipway.yaml');
      if (existsSync(file) && !opts.force)
        throw new CliError('conflict', `${file} already exists; pass --force to overwrite it`);
      const project =
        global.project ??
        path
          .basename(path.dirname(file))
          .toLowerCase()
          .replace(/[^a-z0-9-]+/g, '-')
          .replace(/^-+|-+$/g, '');
      // Editors find the schema in the project's node_modules when Slipway is installed there;
      // run through npx (or installed globally), there is no such path: the schema goes beside the file.
      const dir = path.dirname(file);
      const installed = existsSync(path.join(dir, installedSchema));
      const schemaFile = path.join(dir, 'slipway.schema.json');
      // The config first: when its path cannot be written, no schema is left behind.
      writeOutputFile(
        file,
        starterConfig(project || 'my-project', installed ? installedSchema : './slipway.schema.json'),
        '--config',
      );
      if (!installed) writeOutputFile(schemaFile, `${JSON.stringify(configJsonSchema(), null, 2)}\n`, '--config');
      process.stdout.write(
        `wrote ${file}${installed ? '' : ` and ${schemaFile} (for editors; \`slipway schema\` prints it again)`}\n` +
          'next: edit the service command, then run `slipway validate` and `slipway up`\n',
      );
    });

  program
    .command('validate')
    .description('Check slipway.yaml; lists every problem with its key path and line; exit 1 when any')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { config, warnings } = await loadConfigWithWarnings(cmd.optsWithGlobals<GlobalOptions>().config);
      if (opts.json)
        return printJson({
          valid: true,
          project: config.project,
          environments: config.environments.map((e) => e.name),
          services: config.services.map((s) => s.name),
          warnings,
        });
      process.stdout.write(
        `${green('✔')} ${config.configPath} is valid: project ${config.project}, ${config.environments.length} ` +
          `environments, ${config.services.length} service(s)\n`,
      );
      for (const w of warnings) process.stderr.write(`${yellow('warning:')} ${formatIssue(w)}\n`);
    });

  program
    .command('schema')
    .description('Print the JSON Schema of slipway.yaml (for editors; also shipped as schema/slipway.schema.json)')
    .action(() => printJson(configJsonSchema()));
}
