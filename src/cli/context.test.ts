import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { starterConfig } from '../config/starter.js';
import { quickAddress } from './context.js';

/**
 * Read commands take project, coordinator address and data directory from slipway.yaml without
 * validating the whole file; whatever they read must be what the full load would give — or
 * nothing, and then the full load runs.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'slipway-quick-address-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string) => {
  const at = path.join(dir, `slipway-${n++}.yaml`);
  writeFileSync(at, text);
  return at;
};
const services = 'services:\n  api: { command: node }\n';
const environments = 'environments:\n  staging: { listen: 127.0.0.1:8081 }\n';

describe('quickAddress', () => {
  const agreeing: [string, string][] = [
    ['the starter config', starterConfig('harbor')],
    ['defaults only', `project: p\n${environments}${services}`],
    ['a flow coordinator', `project: p\ncoordinator: { listen: 127.0.0.1:9000 }\n${environments}${services}`],
    [
      'a block coordinator, a quoted project and a relative dataDir with a comment',
      `project: "p-2" # the name\ndataDir: state/here # where\ncoordinator:\n  listen: ` +
        `'0.0.0.0:9100'\n${environments}${services}`,
    ],
    ['an IPv6 coordinator', `project: p\ncoordinator: { listen: "[::1]:9200" }\n${environments}${services}`],
    [
      'another listen before the coordinator (an environment)',
      `project: p\n${environments}coordinator:\n\n  listen: 127.0.0.1:9300\n${services}`,
    ],
  ];
  it.each(agreeing)('%s: the same address as the full load', async (_name, text) => {
    const at = file(text);
    const config = await loadConfig(at);
    expect(quickAddress(at)).toEqual({
      project: config.project,
      host: config.coordinator.host,
      port: config.coordinator.port,
      dataDir: config.dataDir,
    });
  });

  it('gives up (so the full load reports the problem) when the project is not plainly there', () => {
    expect(quickAddress(file(`${environments}${services}`))).toBeUndefined();
    expect(quickAddress(file(`project: [not, a, name]\n${environments}`))).toBeUndefined();
    expect(quickAddress(path.join(dir, 'missing.yaml'))).toBeUndefined();
    expect(quickAddress(file('project: p\ncoordinator: { listen: nowhere }\n'))).toBeUndefined();
  });
});
