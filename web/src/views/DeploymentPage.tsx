import { useQuery } from '@tanstack/react-query';
import { Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.js';
import type { Deployment, Instance, TimelineEvent, Verdict } from '../api/types.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { stateWords } from '../ui/format.js';
import { Time } from '../ui/Time.js';
import { TrafficBar } from '../ui/TrafficBar.js';
import { lazyView, ViewBoundary } from '../ui/lazy-view.js';
import { Actions } from './Actions.js';
import { ChartSlots } from './chart-slots.js';
import { PlanTimeline } from './PlanTimeline.js';
import { Verdicts } from './Verdicts.js';
import { overviewQuery } from './Overview.js';

/** Instances worth a row: those running now, and the stopped ones of this deployment's two releases. */
function shown(i: Instance, d: Deployment): boolean {
  return i.state !== 'stopped' || i.release === d.to.version || i.release === d.from?.version;
}

// uPlot loads with the charts only.
const Charts = lazyView(() => import('./Charts.js'));

/** One deployment: plan, weights, instances, live charts, the judge's verdicts, events, and the actions. */
export default function DeploymentPage() {
  const id = useParams().id ?? '';
  const deployment = useQuery({
    queryKey: ['deployment', id],
    queryFn: () => api<{ deployment: Deployment }>('GET', `/api/v1/deployments/${encodeURIComponent(id)}`),
  });
  const d = deployment.data?.deployment;
  const verdicts = useQuery({
    queryKey: ['verdicts', id],
    queryFn: () =>
      api<{ verdicts: Verdict[] }>('GET', `/api/v1/deployments/${encodeURIComponent(id)}/verdicts?limit=500`),
    enabled: d !== undefined,
    // The judge's running looks are stored without an event; while it watches, they are fetched each second.
    refetchInterval: d && (d.state === 'running' || d.state === 'rolling_back') ? 1000 : false,
  });
  const events = useQuery({
    queryKey: ['events', id],
    queryFn: () => api<{ events: TimelineEvent[] }>('GET', `/api/v1/deployments/${encodeURIComponent(id)}/events`),
    enabled: d !== undefined,
  });
  // The traffic split from the overview's query: the live stream patches it as soon as a weight changes.
  const status = useQuery({ ...overviewQuery(d?.project ?? ''), enabled: d !== undefined });
  const instances = useQuery({
    queryKey: ['instances', id, d?.service, d?.environment],
    queryFn: () =>
      api<{ instances: Instance[] }>(
        'GET',
        `/api/v1/instances?project=${encodeURIComponent(d!.project)}&service=${encodeURIComponent(d!.service)}` +
          `&environment=${encodeURIComponent(d!.environment)}`,
      ),
    enabled: d !== undefined,
  });
  if (deployment.isError) return <ErrorState error={deployment.error} what={`deployment ${id}`} />;
  if (!d) return <Loading what={`deployment ${id}`} lines={20} />;
  // A plan that never analyzes has no figures to show: its placeholders are one line, as their answers will be, so
  // nothing below them jumps when the answers arrive (layout shift).
  const judged = [...d.steps, ...(d.rolledBackFrom?.steps ?? [])].some((s) => s.kind === 'analyze');
  const chartsLoading = judged ? <ChartSlots /> : <Loading what="the charts" lines={1} />;
  const service = status.data?.environments
    .find((e) => e.name === d.environment)
    ?.services.find((s) => s.service === d.service);
  return (
    <article className="deployment" data-state={d.state}>
      <h1>
        {d.service} {d.to.version} in {d.environment}
      </h1>
      <p className="summary">
        <span className={`badge state-${d.state}`} data-testid="state">
          {stateWords[d.state]}
          {d.paused ? ' (paused)' : ''}
        </span>{' '}
        {d.kind} from {d.from?.version ?? 'nothing'} to {d.to.version} by {d.strategy}, requested by{' '}
        {d.requestedBy ?? 'unknown'} <Time at={d.createdAt} /> · <code>{d.id}</code> ·{' '}
        <Link to={`/history?service=${encodeURIComponent(d.service)}`}>history of {d.service}</Link>
      </p>
      {d.reason && (
        <p className="reason" data-testid="reason">
          <strong>Why:</strong> {d.reason}
        </p>
      )}
      {d.paused && (
        <p className="notice">
          Paused by {d.paused.by ?? 'the plan'}: {d.paused.reason} <Time at={d.paused.at} />
        </p>
      )}
      <Actions d={d} />
      <div className="grid">
        <section aria-labelledby="plan-h">
          <h2 id="plan-h">Plan</h2>
          {d.rolledBackFrom && (
            <>
              <h3>
                Original plan (reached step {d.rolledBackFrom.step + 1} of {d.rolledBackFrom.steps.length})
              </h3>
              <PlanTimeline steps={d.rolledBackFrom.steps} />
              <h3>Rollback</h3>
            </>
          )}
          <PlanTimeline steps={d.steps} />
        </section>
        <section aria-labelledby="traffic-h">
          <h2 id="traffic-h">Traffic and instances</h2>
          <h3>
            Traffic of {d.service} in {d.environment} now
          </h3>
          {service ? <TrafficBar traffic={service.traffic} /> : <Loading what="the traffic split" lines={2} />}
          {instances.isError ? (
            <ErrorState error={instances.error} what="the instances" />
          ) : !instances.data ? (
            <Loading what="the instances" lines={3} />
          ) : (
            <table className="instances">
              <caption className="sr-only">Instances of {d.service}</caption>
              <thead>
                <tr>
                  <th scope="col">Instance</th>
                  <th scope="col">Release</th>
                  <th scope="col">Health</th>
                  <th scope="col">Restarts</th>
                </tr>
              </thead>
              <tbody>
                {instances.data.instances
                  .filter((i) => shown(i, d))
                  .map((i) => (
                    <tr key={i.id}>
                      <td>
                        <code>{i.id}</code>{' '}
                        <Link to={`/instances/${i.id}/logs`} aria-label={`Log of ${i.id}`}>
                          log
                        </Link>
                      </td>
                      <td>{i.release}</td>
                      <td className={i.state === 'healthy' ? 'ok' : 'warn'}>
                        {i.state}
                        {i.desired !== 'running' ? ` (${i.desired})` : ''}
                      </td>
                      <td>{i.restarts}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <section aria-labelledby="charts-h">
        <h2 id="charts-h">Candidate vs stable</h2>
        {verdicts.data ? (
          <ViewBoundary what="the charts">
            <Suspense fallback={chartsLoading}>
              <Charts verdicts={verdicts.data.verdicts} />
            </Suspense>
          </ViewBoundary>
        ) : verdicts.isError ? (
          <ErrorState error={verdicts.error} what="the judge's figures" />
        ) : (
          chartsLoading
        )}
      </section>
      <section aria-labelledby="verdicts-h">
        <h2 id="verdicts-h">The judge's verdicts</h2>
        {verdicts.isError ? (
          <ErrorState error={verdicts.error} what="the verdicts" />
        ) : !verdicts.data ? (
          <Loading what="the verdicts" lines={judged ? 6 : 1} />
        ) : (
          <Verdicts verdicts={verdicts.data.verdicts} />
        )}
      </section>
      <section aria-labelledby="events-h">
        <h2 id="events-h">Events</h2>
        {events.isError ? (
          <ErrorState error={events.error} what="the events" />
        ) : !events.data ? (
          <Loading what="the events" lines={6} />
        ) : (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling list must take focus to scroll by keyboard
          <ol className="events" data-testid="events" tabIndex={0} aria-label="Events, newest first">
            {[...events.data.events].reverse().map((e) => (
              <li key={e.id}>
                <Time at={e.at} /> <span className="kind">{e.kind}</span> {e.message}
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}
