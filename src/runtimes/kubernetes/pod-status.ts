import type { V1Pod } from '@kubernetes/client-node';
import type { InstanceExit, InstanceState } from '../runtime.js';

/** What a pod says about its instance: readiness from the pod's own status, as the kubelet reports it. */
export interface PodView {
  state: InstanceState;
  /** The container's restarts (the kubelet restarts a crashed container; Slipway reports each). */
  restarts: number;
  lastExit?: InstanceExit;
  message?: string;
  pod?: string;
}

/**
 * Waiting reasons that will not fix themselves: the image cannot be pulled or named, or the container cannot
 * be created from its spec. Kubernetes keeps retrying a pull; Slipway reports the instance `failed` so the
 * deployment fails with the reason instead of waiting out its timeout.
 */
const hopeless = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** The pod that stands for the instance now: the newest one not being deleted. */
export function currentPod(pods: V1Pod[]): V1Pod | undefined {
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
  const time = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
  return live.sort((a, b) => time(b) - time(a))[0];
}

function exitOf(pod: V1Pod): InstanceExit | undefined {
  const t = pod.status?.containerStatuses?.[0]?.lastState?.terminated;
  if (!t) return undefined;
  const at = t.finishedAt ? new Date(t.finishedAt).getTime() : Date.now();
  return { code: t.exitCode, signal: t.signal ? `signal ${t.signal}` : null, at };
}

/** The instance's state from its pod; `everReady` tells unhealthy (was ready, is not) from still starting. */
export function podView(pod: V1Pod | undefined, everReady: boolean): PodView {
  if (!pod) return { state: 'starting', restarts: 0, message: 'no pod yet' };
  const name = pod.metadata?.name;
  const container = pod.status?.containerStatuses?.[0];
  const restarts = container?.restartCount ?? 0;
  const lastExit = exitOf(pod);
  const base = { restarts, pod: name, ...(lastExit ? { lastExit } : {}) };
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') {
    const why = pod.status.reason ?? pod.status.phase;
    return {
      ...base,
      state: 'crashed',
      message: `pod ${name} ${why}${pod.status.message ? `: ${pod.status.message}` : ''}`,
    };
  }
  if (!container) {
    const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    return {
      ...base,
      state: 'starting',
      message: unscheduled?.message ?? `pod ${name} ${pod.status?.phase ?? 'Pending'}`,
    };
  }
  const waiting = container.state?.waiting;
  if (waiting?.reason && hopeless.has(waiting.reason))
    return { ...base, state: 'failed', message: `${waiting.reason}: ${waiting.message ?? container.image}` };
  if (waiting?.reason === 'CrashLoopBackOff')
    return { ...base, state: 'crashed', message: waiting.message ?? 'CrashLoopBackOff' };
  if (container.state?.terminated) return { ...base, state: 'crashed', message: container.state.terminated.reason };
  if (container.state?.running) {
    if (container.ready) return { ...base, state: 'healthy' };
    return { ...base, state: everReady ? 'unhealthy' : 'starting', message: 'readiness probe not passing' };
  }
  return { ...base, state: 'starting', ...(waiting?.reason ? { message: waiting.reason } : {}) };
}
