import type { QueryClient } from '@tanstack/react-query';
import { createParser } from 'eventsource-parser';
import type { ProjectOverview, TimelineEvent, Traffic } from './types.js';

/** Where the live stream stands, for the header's indicator. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * Follow GET /api/v1/events as server-sent events and turn each event into cache invalidations, so
 * every view refetches what changed (and only that). fetch + eventsource-parser instead of
 * EventSource: the stream names each event by its kind (EventSource only hands over the names it
 * was told in advance), and a 401 must send the user to the login page (EventSource hides the
 * status). Reconnects send Last-Event-ID, so a coordinator restart loses and repeats nothing.
 * The first connection starts at the newest event (`since=now`) rather than replaying the whole history on every
 * page load; whatever the page read before the stream was open is read once more (see `catchUp`).
 */
export function followEvents(
  client: QueryClient,
  handlers: { state: (s: LiveState) => void; unauthorized: () => void; event?: (e: TimelineEvent) => void },
): () => void {
  const controller = new AbortController();
  let lastId = 0;
  // Once a stream has started, reconnects continue from lastId (even 0: an empty store), never from "now".
  let started = false;
  let pending = new Set<string>();
  let flush: number | undefined;
  // Events come in bursts (a step writes several): one refetch per query per 50 ms.
  const invalidate = (keys: string[]) => {
    for (const k of keys) pending.add(k);
    if (flush !== undefined) return;
    flush = window.setTimeout(() => {
      const keys = pending;
      pending = new Set();
      flush = undefined;
      void client.invalidateQueries({ predicate: (q) => keys.has(JSON.stringify(q.queryKey.slice(0, 2))) });
      void client.invalidateQueries({ predicate: (q) => keys.has(JSON.stringify(q.queryKey.slice(0, 1))) });
    }, 50);
  };
  const onEvent = (e: TimelineEvent) => {
    if (e.kind === 'traffic.shifted') void showShift(client, e);
    const keys = [JSON.stringify(['overview']), JSON.stringify(['deployments']), JSON.stringify(['pipeline'])];
    // Errors, alerts and incidents each have their views (and the overview's counts); a finished deployment or an
    // incident moves the delivery figures.
    const family = e.kind.split('.')[0];
    if (family === 'error') keys.push(JSON.stringify(['errors']));
    if (family === 'migration' || e.kind === 'deployment.finished') keys.push(JSON.stringify(['migrations']));
    if (family === 'alert' || family === 'silence') keys.push(JSON.stringify(['alerts']), JSON.stringify(['observe']));
    if (family === 'incident') keys.push(JSON.stringify(['incidents']), JSON.stringify(['observe']));
    if (family === 'incident' || e.kind === 'deployment.finished') keys.push(JSON.stringify(['kpis']));
    if (e.deploymentId) {
      for (const k of ['deployment', 'verdicts', 'events', 'instances']) keys.push(JSON.stringify([k, e.deploymentId]));
    }
    invalidate(keys);
    handlers.event?.(e);
  };

  const connect = async (): Promise<void> => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (started) headers['last-event-id'] = String(lastId);
    const res = await fetch(started ? `/api/v1/events?after=${lastId}` : '/api/v1/events?since=now', {
      headers,
      credentials: 'same-origin',
      signal: controller.signal,
    });
    if (res.status === 401) {
      handlers.unauthorized();
      return;
    }
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    handlers.state('live');
    // Whatever happened while the stream was away is in the replay; views refetch once more to be sure.
    if (started) void client.invalidateQueries();
    const parser = createParser({
      onEvent(message) {
        if (!message.id) return;
        lastId = Math.max(lastId, Number(message.id));
        if (message.event === 'stream.start') {
          if (!started) catchUp(client);
          started = true;
          return;
        }
        started = true;
        onEvent(JSON.parse(message.data) as TimelineEvent);
      },
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  };

  void (async () => {
    handlers.state('connecting');
    while (!controller.signal.aborted) {
      try {
        await connect();
      } catch {
        // Down or restarting: the loop below tries again.
      }
      if (controller.signal.aborted) return;
      handlers.state('reconnecting');
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return () => controller.abort();
}

/**
 * The stream is open from here on: an event stored from now reaches the page. A query answered before, or still on
 * its way, may have been read before that event and after the last one it reflects; each is read once more (an
 * answer in flight first arrives, so the first paint is not delayed).
 */
function catchUp(client: QueryClient): void {
  const openedAt = Date.now();
  const cache = client.getQueryCache();
  const inFlight = new Set<string>();
  const reread = (key: readonly unknown[]) => void client.invalidateQueries({ queryKey: key, exact: true });
  for (const q of cache.getAll()) {
    if (q.queryKey[0] === 'session') continue;
    if (q.state.fetchStatus === 'fetching') inFlight.add(q.queryHash);
    else if (q.state.dataUpdatedAt > 0 && q.state.dataUpdatedAt <= openedAt) reread(q.queryKey);
  }
  if (inFlight.size === 0) return;
  const unsubscribe = cache.subscribe((e) => {
    if (e.type !== 'updated' || !inFlight.has(e.query.queryHash) || e.query.state.fetchStatus !== 'idle') return;
    inFlight.delete(e.query.queryHash);
    reread(e.query.queryKey);
    if (inFlight.size === 0) unsubscribe();
  });
}

/**
 * A weight change is on screen as soon as its event arrives (the event carries the new split); the
 * refetch that follows confirms it. Saves a round trip where it matters most: watching a canary.
 */
async function showShift(client: QueryClient, e: TimelineEvent): Promise<void> {
  const data = e.data as {
    stable?: { release?: string; weight: number };
    candidate?: { release?: string; weight: number };
  };
  if (!e.project || !e.environment || !e.service || !data.stable || !data.candidate) return;
  const total = data.stable.weight + data.candidate.weight;
  const pct = (w: number) => (total === 0 ? 0 : Math.round((w / total) * 100));
  const traffic: Traffic[] = [];
  if (data.stable.release)
    traffic.push({ release: data.stable.release, role: 'stable', weight: pct(data.stable.weight) });
  if (data.candidate.release && data.candidate.weight > 0)
    traffic.push({ release: data.candidate.release, role: 'candidate', weight: pct(data.candidate.weight) });
  // A read of the overview already on its way may have been answered before this change: it must not put the old
  // split back on screen after this one. Cancelled (the cache keeps what it had), it is read again after the event.
  // Awaited: a cancelled read puts back the data it started from, which must happen before this change, not after.
  await client.cancelQueries({ queryKey: ['overview', e.project], exact: true });
  client.setQueryData<ProjectOverview>(['overview', e.project], (status) =>
    status
      ? {
          ...status,
          environments: status.environments.map((env) =>
            env.name !== e.environment
              ? env
              : { ...env, services: env.services.map((s) => (s.service === e.service ? { ...s, traffic } : s)) },
          ),
        }
      : status,
  );
}
