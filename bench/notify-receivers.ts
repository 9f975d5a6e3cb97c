/**
 * The receivers of bench:notify in their own process (as Slack and the rest are in reality), so
 * the coordinator side's store work never delays their answers. Talks to the bench over IPC:
 * sends { urls } once listening and { slackFailedAt } for each failing-verdict message; answers
 * "report" with what each received, and "unhang" stops the hanging endpoint from hanging.
 */
import { type Receiver, startReceiver } from '../test/support/notify-receivers.js';

const secret = process.env.BENCH_HOOK_SECRET!;
const names = ['slack', 'teams', 'hook', 'flaky', 'hanging'] as const;
const receivers: Record<(typeof names)[number], Receiver> = {
  slack: await startReceiver('slack'),
  teams: await startReceiver('teams'),
  hook: await startReceiver('webhook', { secret }),
  flaky: await startReceiver('webhook', { secret, failHalf: true }),
  hanging: await startReceiver('slack', { hang: true }),
};
let seen = 0;
setInterval(() => {
  const fresh = receivers.slack.received.slice(seen);
  seen += fresh.length;
  for (const r of fresh)
    if (JSON.stringify(r.body).includes('deployment failed')) process.send!({ slackFailedAt: r.at });
}, 2).unref();

process.on('message', async (m: string) => {
  if (m === 'unhang') receivers.hanging.mode.hang = false;
  if (m === 'report') {
    process.send!({
      report: Object.fromEntries(
        names.map((n) => {
          const r = receivers[n];
          return [
            n,
            {
              received: r.received.map((x) => [x.key, x.at]),
              duplicates: r.duplicates,
              failed: r.failed,
              rejected: r.rejected.length,
            },
          ];
        }),
      ),
    });
  }
  if (m === 'stop') {
    for (const r of Object.values(receivers)) await r.close();
    process.exit(0);
  }
});
process.send!({ urls: Object.fromEntries(names.map((n) => [n, receivers[n].url])) });
