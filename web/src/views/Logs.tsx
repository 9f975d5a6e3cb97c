import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api } from '../api/client.js';
import type { Instance } from '../api/types.js';
import { describeError, ErrorState, Loading } from '../ui/ErrorState.js';
import { Time } from '../ui/Time.js';

const keptLines = 2000;

/**
 * An instance's log: the last lines, then followed live (GET /api/v1/instances/:id/logs?follow=true
 * streams text/plain). Lines are text nodes, so whatever an instance prints is shown, never rendered.
 */
export default function Logs() {
  const { id = '' } = useParams();
  const instance = useQuery({
    queryKey: ['instance', id],
    queryFn: () => api<{ instance: Instance }>('GET', `/api/v1/instances/${encodeURIComponent(id)}`),
  });
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<{ following: boolean; error?: string }>({ following: false });
  useEffect(() => {
    const controller = new AbortController();
    setLines([]);
    void (async () => {
      try {
        const res = await fetch(`/api/v1/instances/${encodeURIComponent(id)}/logs?tail=200&follow=true`, {
          credentials: 'same-origin',
          signal: controller.signal,
        });
        if (!res.ok || !res.body) {
          const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
          throw new ApiError(res.status, body.error?.code ?? 'failed', body.error?.message ?? `HTTP ${res.status}`);
        }
        setState({ following: true });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let rest = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const parts = (rest + value).split('\n');
          rest = parts.pop() ?? '';
          if (parts.length > 0) setLines((l) => [...l, ...parts].slice(-keptLines));
        }
        if (rest) setLines((l) => [...l, rest].slice(-keptLines));
        setState({ following: false });
      } catch (e) {
        if (!controller.signal.aborted) setState({ following: false, error: describeError(e) });
      }
    })();
    return () => controller.abort();
  }, [id]);
  const i = instance.data?.instance;
  return (
    <section>
      <h1>
        Log of <code>{id}</code>
      </h1>
      {instance.isError ? (
        <ErrorState error={instance.error} what="the instance" />
      ) : !i ? (
        <Loading what="the instance" lines={1} />
      ) : (
        <p data-testid="instance-summary">
          {i.service} {i.release} in {i.environment}:{' '}
          <strong className={i.state === 'healthy' ? 'ok' : 'warn'}>{i.state}</strong>
          {i.message ? ` — ${i.message}` : ''} · {i.restarts} restart{i.restarts === 1 ? '' : 's'} · started{' '}
          <Time at={i.startedAt} />
          {i.deploymentId && (
            <>
              {' '}
              · <Link to={`/deployments/${i.deploymentId}`}>its deployment</Link>
            </>
          )}
        </p>
      )}
      <p role="status" className="muted" data-testid="log-state">
        {state.error ? '' : state.following ? `following live · ${lines.length} lines` : 'connecting…'}
      </p>
      {state.error && (
        <p className="error-state" role="alert">
          {state.error}
        </p>
      )}
      {/* Focusable so the keyboard can scroll it (axe: scrollable-region-focusable). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <pre className="log" data-testid="log" tabIndex={0}>
        {lines.length === 0 && state.following ? '(no lines yet)' : lines.join('\n')}
      </pre>
    </section>
  );
}
