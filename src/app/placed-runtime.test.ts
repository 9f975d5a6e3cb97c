import { describe, expect, it } from 'vitest';
import { FakeRuntime } from '../../test/support/fake-runtime.js';
import { fixtureSpec } from '../../test/support/local-runtime.js';
import type { ProjectConfig } from '../config/model.js';
import { hostsOf, PlacedRuntime } from './placed-runtime.js';

describe('PlacedRuntime', () => {
  it('starts each instance on the runtime its placement picks; stop, list, logs and events follow it', async () => {
    const local = new FakeRuntime();
    const remote = new FakeRuntime();
    const placed = new PlacedRuntime(local, remote, (spec) => spec.environment === 'production');
    const events: string[] = [];
    placed.subscribe((e) => events.push(e.type === 'state' ? e.status.instanceId : e.instanceId));
    const here = fixtureSpec({ environment: 'staging' });
    const there = fixtureSpec({ environment: 'production' });
    await placed.start(here);
    await placed.start(there);
    expect(local.started).toEqual([here.instanceId]);
    expect(remote.started).toEqual([there.instanceId]);
    expect(
      placed
        .list()
        .map((s) => s.instanceId)
        .sort(),
    ).toEqual([here.instanceId, there.instanceId].sort());
    expect(new Set(events)).toEqual(new Set([here.instanceId, there.instanceId]));
    remote.machine.print(there.instanceId, 'from the host');
    const lines: string[] = [];
    for await (const line of placed.logs(there.instanceId)) lines.push(line.text);
    expect(lines).toContain('from the host');
    await placed.stop(there.instanceId);
    expect(remote.stopped).toEqual([there.instanceId]);
    expect(local.stopped).toEqual([]);
    await placed.close();
  });

  it("a service's own hosts in an environment win over the environment's", () => {
    const config = {
      project: 'p',
      environments: [{ name: 'production', hosts: ['ssh://d@a'] }, { name: 'staging' }],
      services: [
        { name: 'api', environments: { production: { hosts: ['ssh://d@b'] } } },
        { name: 'web', environments: {} },
      ],
    } as unknown as ProjectConfig;
    const of = (service: string, environment: string) =>
      hostsOf(() => [config], { project: 'p', service, environment });
    expect(of('api', 'production')).toEqual(['ssh://d@b']);
    expect(of('web', 'production')).toEqual(['ssh://d@a']);
    expect(of('web', 'staging')).toEqual([]);
  });
});
