import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { currentPod, podView } from './pod-status.js';

function pod(name: string, container?: Partial<V1ContainerStatus>, extra: Partial<V1Pod> = {}): V1Pod {
  return {
    metadata: { name, creationTimestamp: new Date('2026-12-04T11:00:00Z'), ...extra.metadata },
    status: {
      phase: 'Running',
      ...(container
        ? {
            containerStatuses: [
              { name: 'app', image: 'img', imageID: '', ready: false, restartCount: 0, ...container },
            ],
          }
        : {}),
      ...extra.status,
    },
  };
}

describe('instance state from pod status', () => {
  it('no pod or no container yet: starting', () => {
    expect(podView(undefined, false).state).toBe('starting');
    const pending = pod('p', undefined, {
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', message: '0/3 nodes are available' }],
      },
    });
    expect(podView(pending, false)).toMatchObject({ state: 'starting', message: '0/3 nodes are available' });
  });

  it('running and ready: healthy; running and not ready: starting until it was ready once, then unhealthy', () => {
    expect(podView(pod('p', { ready: true, state: { running: {} } }), false).state).toBe('healthy');
    expect(podView(pod('p', { ready: false, state: { running: {} } }), false).state).toBe('starting');
    expect(podView(pod('p', { ready: false, state: { running: {} } }), true).state).toBe('unhealthy');
  });

  it('a restarted container: its restarts and last exit; CrashLoopBackOff: crashed', () => {
    const v = podView(
      pod('p', {
        restartCount: 2,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container' } },
        lastState: { terminated: { exitCode: 3, finishedAt: new Date('2026-12-04T11:01:00Z') } },
      }),
      true,
    );
    expect(v).toMatchObject({ state: 'crashed', restarts: 2, lastExit: { code: 3, signal: null } });
    expect(v.lastExit!.at).toBe(Date.parse('2026-12-04T11:01:00Z'));
  });

  it('an image that cannot be pulled: failed, with the reason', () => {
    const v = podView(
      pod('p', { state: { waiting: { reason: 'ErrImagePull', message: 'not found: reg/api:9' } } }),
      false,
    );
    expect(v).toMatchObject({ state: 'failed', message: 'ErrImagePull: not found: reg/api:9' });
    expect(podView(pod('p', { state: { waiting: { reason: 'ContainerCreating' } } }), false).state).toBe('starting');
  });

  it('an evicted pod is a crash (its Deployment makes another)', () => {
    const evicted = pod('p', undefined, { status: { phase: 'Failed', reason: 'Evicted', message: 'low on memory' } });
    expect(podView(evicted, true)).toMatchObject({ state: 'crashed', message: 'pod p Evicted: low on memory' });
  });

  it('the current pod is the newest one not being deleted', () => {
    const old = pod('old', undefined, { metadata: { creationTimestamp: new Date('2026-12-04T10:00:00Z') } });
    const gone = pod('gone', undefined, {
      metadata: { creationTimestamp: new Date('2026-12-04T12:00:00Z'), deletionTimestamp: new Date() },
    });
    const fresh = pod('fresh', undefined, { metadata: { creationTimestamp: new Date('2026-12-04T11:00:00Z') } });
    expect(currentPod([old, gone, fresh])?.metadata?.name).toBe('fresh');
    expect(currentPod([])).toBeUndefined();
  });
});
