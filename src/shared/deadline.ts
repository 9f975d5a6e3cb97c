/** An abort signal for one operation: aborted after `ms`, or as soon as `parent` aborts. */
export interface Deadline {
  signal: AbortSignal;
  /** True once the time ran out (not the parent). */
  readonly expired: boolean;
  /** The operation ended: clear the timer and stop following the parent. */
  done(): void;
}

/**
 * Node 20's `AbortSignal.any([AbortSignal.timeout(ms), other])` loses the timeout when nothing else references the
 * timeout signal and garbage collection runs (nodejs/node#57736): the request then waits until the other side gives
 * up — in bench:notify a hanging receiver held a delivery for 300 s (Node's server requestTimeout) despite its 1 s
 * timeout. Here a timer owns the one controller, so the deadline holds whatever the collector does.
 */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
  }, ms);
  const follow = () => controller.abort(parent?.reason);
  if (parent?.aborted) follow();
  else parent?.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    done() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', follow);
    },
  };
}
