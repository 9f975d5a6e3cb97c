import { messageOf } from '../shared/errors.js';
import { listRetired, markStopped, setDesired } from '../store/repos/instances.js';
import type { EngineDeps } from './context.js';

const retryAfterMs = 30_000;

/**
 * Stop warm instances whose keep-warm window has passed. Runs on a timer; idempotent. One whose retire failed part-way
 * (told to stop, not confirmed stopped) is found again 30 s later.
 */
export async function retireWarmInstances(deps: EngineDeps): Promise<number> {
  const retired = await listRetired(deps.db, new Date(deps.clock.now()));
  await Promise.all(
    retired.map(async (i) => {
      try {
        await setDesired(deps.db, [i.id], 'stopped');
        await deps.runtime.stop(i.id);
        await markStopped(deps.db, i.id);
        await deps.events.emit({
          project: i.project,
          service: i.service,
          environment: i.environment,
          kind: 'instance.retired',
          message: `retired warm instance ${i.id} (keep-warm window over)`,
          data: { instance: i.id },
        });
      } catch (e) {
        deps.logger.warn({ instance: i.id, err: messageOf(e) }, 'could not retire a warm instance; retrying in 30 s');
        // Tried again later, not at every tick (an unreachable host would log every second): the window moves on.
        await setDesired(deps.db, [i.id], 'stopped', new Date(deps.clock.now() + retryAfterMs)).catch(() => undefined);
      }
    }),
  );
  return retired.length;
}
