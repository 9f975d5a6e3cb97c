import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigWithWarnings } from './load.js';

/** `slipway validate` notices a command this machine cannot run, with its key path and line, without refusing the file.
 * */
const dir = mkdtempSync(path.join(tmpdir(), 'slipway-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('commands this machine would run', () => {
  it(
    'warns about a command not on PATH and a script that is not there; finds node and an executable ' + 'script',
    async () => {
      writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\n');
      chmodSync(path.join(dir, 'run.sh'), 0o755);
      const file = path.join(dir, 'slipway.yaml');
      writeFileSync(
        file,
        [
          'project: p',
          'environments:',
          '  staging: { listen: 127.0.0.1:8081 }',
          'services:',
          '  api:',
          '    command: node',
          '    releases:',
          '      "2.0.0": { command: gunicorn-not-installed-here }',
          '  worker:',
          '    command: ./run.sh',
          '    route: { pathPrefix: /worker }',
          '  cron:',
          '    command: ./missing.sh',
          '    route: { pathPrefix: /cron }',
          '  versioned:',
          '    command: ./bin/start',
          '    cwd: releases/{version}',
          '    route: { pathPrefix: /v }',
        ].join('\n'),
      );
      const { warnings } = await loadConfigWithWarnings(file);
      expect(warnings.map((w) => [w.path, w.line, w.message])).toEqual([
        [
          'services.api.releases["2.0.0"].command',
          8,
          `"gunicorn-not-installed-here" is not on this machine's PATH: instances started here would not start ` +
            `(install it, or give its path)`,
        ],
        [
          'services.cron.command',
          13,
          `"./missing.sh" is not an executable file here (${path.join(dir, 'missing.sh')}): instances would not start`,
        ],
      ]);
    },
  );
});
