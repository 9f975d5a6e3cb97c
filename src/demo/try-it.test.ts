import { describe, expect, it } from 'vitest';
import { tryItLines } from './try-it.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what is removed
const plain = (lines: string[]) => lines.join('\n').replace(/\u001b\[[0-9;]*m/g, '');

describe('the demo’s "try it" lines', () => {
  const out = plain(
    tryItLines({
      project: 'harbor-quote',
      staging: 'http://127.0.0.1:18081',
      coordinatorUrl: 'http://127.0.0.1:17420',
      token: 'slw_secret',
      configPath: '/tmp/demo/slipway.yaml',
      incident: 'inc_01abc',
    }),
  );

  it('offer the status page, the incident the rollback opened, its postmortem and the KPIs', () => {
    expect(out).toContain('status page      http://127.0.0.1:17420/status/harbor-quote');
    expect(out).toMatch(/^ {4}slipway incidents {3}\(the one the bad canary opened\)$/m);
    expect(out).toMatch(/^ {4}slipway incident show inc_01abc /m);
    expect(out).toMatch(/^ {4}slipway incident postmortem inc_01abc /m);
    expect(out).toMatch(/^ {4}slipway kpis --since 1d /m);
    expect(out).toMatch(/^ {4}slipway rollback quote-api --env staging /m);
  });

  it('define `slipway` once for the shell, with the token and config, so each command pastes as it is', () => {
    expect(out).toContain('export SLIPWAY_TOKEN=slw_secret; slipway() { node /');
    expect(out).toMatch(/\/bin\/slipway\.js --config \/tmp\/demo\/slipway\.yaml "\$@"; \}$/m);
  });

  it('quote a config path with a space, so the line still pastes', () => {
    const spaced = plain(
      tryItLines({
        project: 'harbor-quote',
        staging: 'http://127.0.0.1:18081',
        coordinatorUrl: 'http://127.0.0.1:17420',
        token: 'slw_secret',
        configPath: '/tmp/my demo/slipway.yaml',
      }),
    );
    expect(spaced).toMatch(/ --config '\/tmp\/my demo\/slipway\.yaml' "\$@"; \}$/m);
  });
});
