import type { Command } from 'commander';
import { CliError } from './errors.js';

/**
 * Refuse an option given an empty value (`--at ""`, `--since ""`): it is nearly always a script's unset
 * variable, and read as "not given" it would do something else than asked (deploy now instead of later).
 * Runs before every action, so each command's options and the global ones are covered in one place.
 */
export function refuseEmptyOptions(command: Command): void {
  for (let cmd: Command | null = command; cmd; cmd = cmd.parent) {
    for (const option of cmd.options) {
      if (!option.required && !option.optional) continue;
      const value: unknown = cmd.getOptionValue(option.attributeName());
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && v.trim() === ''))
        throw new CliError('invalid_input', `${option.long ?? option.short} needs a value: it was given an empty one`);
    }
  }
}
