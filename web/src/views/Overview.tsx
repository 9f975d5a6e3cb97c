import { type QueryClient, useQueries, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.js';
import type { OverviewService, Project, ProjectOverview } from '../api/types.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { stateWords } from '../ui/format.js';
import { Time } from '../ui/Time.js';
import { TrafficBar } from '../ui/TrafficBar.js';
import { SignalLine, useProjectSignals } from './OverviewSignals.js';
import '../ui/observe.css';

const projectsQuery = {
  queryKey: ['projects'],
  queryFn: () => api<{ projects: Project[] }>('GET', '/api/v1/projects'),
};
/** The slim overview the coordinator keeps in memory (the deployment page shares it for the traffic split). */
export const overviewQuery = (project: string) => ({
  queryKey: ['overview', project],
  queryFn: () => api<ProjectOverview>('GET', `/api/v1/projects/${encodeURIComponent(project)}/overview`),
});

/**
 * Start the overview's reads at once, beside the session's, instead of one after the other (session, then projects,
 * then each status): the first paint waits for one round trip fewer. Without a session they fail and are read
 * again after the login.
 */
export function prefetchOverview(client: QueryClient): void {
  void client
    .fetchQuery({ ...projectsQuery, retry: false })
    .then(({ projects }) => Promise.all(projects.map((p) => client.prefetchQuery(overviewQuery(p.name)))))
    .catch(() => undefined);
}

/** Every project's environments × services: stable release, traffic split, instance health, deployment in flight. */
export function Overview() {
  const projects = useQuery(projectsQuery);
  const statuses = useQueries({ queries: (projects.data?.projects ?? []).map((p) => overviewQuery(p.name)) });
  if (projects.isError) return <ErrorState error={projects.error} what="the projects" />;
  if (!projects.data) return <Loading what="the projects" lines={8} />;
  if (projects.data.projects.length === 0)
    return (
      <section>
        <h1>Overview</h1>
        <p>No project yet: `slipway deploy` applies slipway.yaml and starts the first deployment.</p>
      </section>
    );
  return (
    <section>
      <h1>Overview</h1>
      {projects.data.projects.map((p, i) => {
        const status = statuses[i];
        return (
          <section key={p.name} className="project" aria-labelledby={`project-${i}`}>
            <h2 id={`project-${i}`}>{p.name}</h2>
            {status?.isError ? (
              <ErrorState error={status.error} what={`the status of ${p.name}`} />
            ) : !status?.data ? (
              <Loading what={`the status of ${p.name}`} lines={p.environments.length * p.services.length * 3} />
            ) : (
              <>
                {!status.data.dataPlane.healthy && (
                  <p className="error-state" role="alert">
                    The data plane ({status.data.dataPlane.kind === 'haproxy' ? 'HAProxy' : 'proxy'}) does not answer:
                    traffic may not be served.
                  </p>
                )}
                <Environments project={p.name} status={status.data} />
              </>
            )}
          </section>
        );
      })}
    </section>
  );
}

/** Each environment's services, with the firing alerts and open incidents of each. */
function Environments({ project, status }: { project: string; status: ProjectOverview }) {
  const signals = useProjectSignals(project).data;
  return status.environments.map((env) => (
    <section key={env.name} className="environment" aria-label={`${project} ${env.name}`}>
      <h3>
        {env.name} <span className="muted">{env.url}</span>
      </h3>
      <SignalLine signals={signals} environment={env.name} service={null} />
      <ul className="cards">
        {env.services.map((s) => (
          <ServiceCard key={s.service} s={s}>
            <SignalLine signals={signals} environment={env.name} service={s.service} />
          </ServiceCard>
        ))}
      </ul>
    </section>
  ));
}

function ServiceCard({ s, children }: { s: OverviewService; children: ReactNode }) {
  const { running, healthy } = s.instances;
  const d = s.active;
  const last = s.last;
  return (
    <li className="card" data-service={s.service}>
      <h4>{s.service}</h4>
      <p>
        stable <strong>{s.stable ?? 'none yet'}</strong>
      </p>
      <TrafficBar traffic={s.traffic} />
      <p className={healthy < running ? 'warn' : undefined}>
        {healthy} of {running} instance{running === 1 ? '' : 's'} healthy
      </p>
      {d ? (
        <p className="inflight">
          <Link to={`/deployments/${d.id}`}>
            {d.kind} {d.version}: {stateWords[d.state]}
            {d.paused ? ' (paused)' : ''}
          </Link>
          <br />
          step {d.step + 1} of {d.steps}: {d.stepDescription ?? '—'}
        </p>
      ) : last ? (
        <p className="muted">
          last: <Link to={`/deployments/${last.id}`}>{last.version}</Link> {stateWords[last.state]}{' '}
          {last.finishedAt && <Time at={last.finishedAt} />}
        </p>
      ) : (
        <p className="muted">never deployed</p>
      )}
      {children}
    </li>
  );
}
