import { messageOf } from '../shared/errors.js';
import { listRetired, markStopped, setDesired } from '../store/repos/instances.js';
import type { EngineDeps } from './context.js';

/** Stop warm instances whose keep-warm window has passed. Runs on a timer; idempotent. */
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
        deps.logger.warn({ instance: i.id, err: messageOf(e) }, 'could not retire a warm instance');
      }
    }),
  );
  return retired.length;
}
