/** Notification figures at /metrics: attempts by outcome (counter) and the outbox by state (from the store). */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Queryable } from '../store/db.js';
import { countNotifyDeliveries } from '../store/repos/notify-deliveries.js';

export function registerNotifyMetrics(registry: Registry, db: Queryable) {
  const attempts = new Counter({
    name: 'slipway_notification_attempts_total',
    help: 'Notification send attempts by service type and outcome (sent, retry, failed)',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'slipway_notifications',
    help: 'Notification deliveries in the outbox by service type and state (pending, sending, sent, failed)',
    labelNames: ['type', 'state'],
    registers: [registry],
    async collect() {
      const rows = await countNotifyDeliveries(db);
      this.reset();
      for (const r of rows) this.set({ type: r.targetType, state: r.state }, r.n);
    },
  });
  return {
    onOutcome: (type: string, outcome: 'sent' | 'retry' | 'failed') => attempts.inc({ type, outcome }),
  };
}
