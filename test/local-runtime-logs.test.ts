import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeError } from '../src/runtimes/local/index.js';
import { fixtureSpec, httpRequest, RuntimeHarness, waitFor } from './support/local-runtime.js';

async function collect(lines: AsyncIterable<{ text: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line.text);
  return out;
}

// logs(): tail and follow an instance's log through the runtime, also after the process is gone.
describe('LocalRuntime: logs', () => {
  let harness: RuntimeHarness;

  beforeEach(async () => {
    harness = new RuntimeHarness();
    await harness.setup();
  });

  afterEach(async () => {
    await harness.cleanup();
  });

  it('tails the log, follows new lines until aborted, and still reads it after the instance stopped', async () => {
    const runtime = harness.create();
    const spec = fixtureSpec();
    const handle = await runtime.start(spec);
    await harness.waitForState(spec.instanceId, 'healthy');

    const all = await collect(runtime.logs(spec.instanceId));
    expect(all[0]).toMatch(/^--- slipway: starting v1 pid \d+ port \d+ at .* ---$/);
    expect(all[1]).toBe(`fixture: listening on ${handle.port} pid ${handle.pid} release v1`);
    expect(await collect(runtime.logs(spec.instanceId, { tail: 1 }))).toEqual([all[1]]);

    const abort = new AbortController();
    const followed: string[] = [];
    const following = (async () => {
      for await (const line of runtime.logs(spec.instanceId, { tail: 1, follow: true, signal: abort.signal }))
        followed.push(line.text);
    })();
    await waitFor('the tail line', () => followed.length === 1);
    await httpRequest(handle.address, '/fail-health', 'POST');
    await httpRequest(handle.address, '/pass-health', 'POST');
    await waitFor('followed lines', () => followed.length === 3);
    expect(followed.slice(1)).toEqual(['fixture: health now failing', 'fixture: health now passing']);
    abort.abort();
    await following; // ends instead of hanging

    await runtime.stop(spec.instanceId);
    const stoppedAt = Date.now();
    expect((await collect(runtime.logs(spec.instanceId, { tail: 1 })))[0]).toBe('fixture: SIGTERM, draining');

    // Read a while after the stop, every line keeps when it was written (merging instances' logs relies on it).
    await new Promise((r) => setTimeout(r, 1500));
    const times: number[] = [];
    for await (const line of runtime.logs(spec.instanceId)) times.push(line.at);
    expect(times.length).toBeGreaterThan(3);
    expect(Math.max(...times)).toBeLessThanOrEqual(stoppedAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('refuses logs of an instance it has never seen', () => {
    const runtime = harness.create();
    expect(() => runtime.logs('ins_unknown')).toThrow(RuntimeError);
  });
});
