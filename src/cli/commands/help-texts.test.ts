import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerDeploy } from './deploy.js';
import { registerRunbook } from './runbook.js';

/** `slipway <name> --help` as printed, on one line (wrapping depends on the terminal). */
function helpOf(register: (program: Command) => void, name: string): string {
  const program = new Command();
  register(program);
  let out = '';
  const command = program.commands.find((c) => c.name() === name)!;
  command
    .configureOutput({
      writeOut: (text) => {
        out += text;
      },
    })
    .outputHelp();
  return out.replace(/\s+/g, ' ');
}

describe('help texts', () => {
  it('deploy --at: what it cannot go with, when it is refused, and examples', () => {
    const help = helpOf(registerDeploy, 'deploy');
    expect(help).toContain('cannot go with --wait, --queue or --set');
    expect(help).toContain('refused in a freeze or outside the deployment windows (unless --emergency)');
    expect(help).toContain('--at 2026-12-05T22:00:00Z');
    expect(help).toContain('--at next-window');
  });

  it('runbook --check: exit 1 when the file differs, 3 when it does not exist', () => {
    expect(helpOf(registerRunbook, 'runbook')).toContain('exit 1 when the file differs');
    expect(helpOf(registerRunbook, 'runbook')).toContain('3 when it does not exist');
  });
});
