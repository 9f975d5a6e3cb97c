import type { z } from 'zod';
import type { deploymentView, eventView } from '../api/schemas.js';
import { isSlipwayError } from '../shared/errors.js';
import type { ApiClient } from './client.js';
import { readSse } from './sse.js';

export type DeploymentView = z.infer<typeof deploymentView>;
export type EventView = z.infer<typeof eventView>;

/** How long to keep reconnecting while the coordinator is away (it may be restarting mid-deploy). */
const reconnectForMs = 120_000;

/**
 * Follow a deployment's events until it finishes, calling `onEvent` for each; survives a
 * coordinator restart by reconnecting with Last-Event-ID. Resolves with the final deployment.
 */
export async function followDeployment(
  client: ApiClient,
  id: string,
  onEvent: (e: EventView) => void,
  onReconnect?: (waitingMs: number) => void,
): Promise<DeploymentView> {
  let lastId = '0';
  let awaySince: number | undefined;
  for (;;) {
    try {
      const body = await client.stream(
        `/api/v1/deployments/${encodeURIComponent(id)}/events`,
        'text/event-stream',
        undefined,
        { 'last-event-id': lastId },
      );
      awaySince = undefined;
      for await (const message of readSse(body)) {
        if (message.id) lastId = message.id;
        if (message.event === 'end') break;
        onEvent(JSON.parse(message.data) as EventView);
      }
      const { deployment } = await client.call<{ deployment: DeploymentView }>(
        'GET',
        `/api/v1/deployments/${encodeURIComponent(id)}`,
      );
      if (!['queued', 'running', 'rolling_back'].includes(deployment.state)) return deployment;
    } catch (e) {
      if (!isSlipwayError(e) || e.code !== 'unavailable') {
        if (!(e instanceof Error && /terminated|other side closed|ECONNRESET|aborted/i.test(e.message))) throw e;
      }
      awaySince ??= Date.now();
      const away = Date.now() - awaySince;
      if (away > reconnectForMs) throw e;
      onReconnect?.(away);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
