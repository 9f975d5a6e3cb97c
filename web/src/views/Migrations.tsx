import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client.js';
import { projectPath } from '../api/projects.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { useChosenProject } from '../ui/ProjectPicker.js';
import { Scroll } from '../ui/Scroll.js';
import { Time } from '../ui/Time.js';
import { MigrationPlan } from './MigrationPlan.js';

/** GET /api/v1/projects/:project/migrations (src/api/routes/migrations.ts): the fields shown. */
interface MigrationRow {
  version: number;
  id: string;
  phase: 'expand' | 'contract' | null;
  state: 'applied' | 'pending' | 'partial' | 'drift' | 'missing-file';
  checksum: string;
  checksumOk: boolean;
  appliedAt: string | null;
  release: string | null;
  deploymentId: string | null;
  durationMs: number | null;
  file: string | null;
}
interface EnvironmentMigrations {
  name: string;
  database: string | null;
  stable: string | null;
  newest: string | null;
  error: string | null;
  migrations: MigrationRow[];
  contracts: {
    migration: string;
    after: string;
    state: 'waiting' | 'ready';
    blockers: { environment: string; version: string; instances: number }[];
  }[];
  findings: {
    migration: string;
    file: string;
    line: number;
    col: number;
    rule: string;
    class: string;
    level: 'error' | 'warning';
    message: string;
    safeAlternative: string;
    allowedBecause: string | null;
  }[];
}

const stateWords: Record<MigrationRow['state'], string> = {
  applied: 'applied',
  pending: 'pending',
  partial: 'partly applied',
  drift: 'drift: file changed',
  'missing-file': 'file missing',
};

/** Per environment: applied, pending and drifted migrations, lint findings, and the contracts that wait. */
export default function Migrations() {
  const { project, picker, error } = useChosenProject();
  const query = useQuery({
    queryKey: ['migrations', project?.name],
    queryFn: () =>
      api<{ service: string; environments: EnvironmentMigrations[] }>('GET', projectPath(project!.name, '/migrations')),
    enabled: !!project,
  });
  if (error) return <ErrorState error={error} what="the projects" />;
  return (
    <section>
      <h1>Migrations</h1>
      {picker && <div className="filters">{picker}</div>}
      {query.isError ? (
        <ErrorState error={query.error} what="the migrations" />
      ) : !query.data ? (
        <Loading what="the migrations" lines={10} />
      ) : (
        query.data.environments.map((env) => (
          <Environment key={env.name} env={env} service={query.data.service} project={project!.name} />
        ))
      )}
    </section>
  );
}

function Environment({ env, service, project }: { env: EnvironmentMigrations; service: string; project: string }) {
  const pending = env.migrations.filter((m) => m.state === 'pending').length;
  return (
    <section className="environment" aria-labelledby={`migrations-${env.name}`} data-environment={env.name}>
      <h2 id={`migrations-${env.name}`}>
        {env.name} <span className="muted">{env.database ?? ''}</span>
      </h2>
      <p>
        {service}: stable <strong>{env.stable ?? 'none'}</strong>, newest release{' '}
        <strong>{env.newest ?? 'none'}</strong> · {env.migrations.length - pending} applied, {pending} pending
      </p>
      {env.error && (
        <p className="error-state" role="alert" data-testid="migrations-error">
          {env.error}
        </p>
      )}
      {env.contracts.length > 0 && (
        <ul className="contracts" aria-label={`Contract migrations of ${env.name}`}>
          {env.contracts.map((c) => (
            <li key={c.migration} className={c.state === 'waiting' ? 'warn' : undefined} data-contract={c.migration}>
              <code>{c.migration}</code> (contract, for releases from {c.after}){' '}
              {c.state === 'waiting'
                ? `waits until ${c.blockers
                    .map(
                      (b) =>
                        `${b.version} is gone from ${b.environment} ` +
                        `(${b.instances} instance${b.instances === 1 ? '' : 's'})`,
                    )
                    .join(', ')}`
                : 'ready: no live release needs the old schema'}
            </li>
          ))}
        </ul>
      )}
      {env.migrations.length > 0 && (
        <Scroll label={`Migrations of ${env.name}`}>
          <table className="list">
            <caption className="sr-only">Migrations of {env.name}</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Migration</th>
                <th scope="col">Phase</th>
                <th scope="col">State</th>
                <th scope="col">Applied</th>
                <th scope="col">By</th>
                <th scope="col">Took</th>
                <th scope="col">Checksum</th>
              </tr>
            </thead>
            <tbody>
              {env.migrations.map((m) => (
                <tr key={m.version} data-migration={m.id} data-state={m.state}>
                  <td>{m.version}</td>
                  <td>
                    <code>{m.id}</code>
                  </td>
                  <td>{m.phase ?? '—'}</td>
                  <td className={m.state === 'applied' ? undefined : 'warn'}>{stateWords[m.state]}</td>
                  <td>{m.appliedAt ? <Time at={m.appliedAt} /> : '—'}</td>
                  <td>
                    {m.release ? (
                      m.deploymentId ? (
                        <Link to={`/deployments/${encodeURIComponent(m.deploymentId)}`}>release {m.release}</Link>
                      ) : (
                        `release ${m.release}`
                      )
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{m.durationMs === null ? '—' : `${m.durationMs} ms`}</td>
                  <td>
                    <code title={m.checksum}>{m.checksum.slice(0, 12)}</code>
                    {!m.checksumOk && ' (differs from the file)'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      {env.findings.length > 0 && (
        <>
          <h3>Lint findings of the pending migrations</h3>
          <ul className="findings">
            {env.findings.map((f) => (
              <li key={`${f.file}:${f.line}:${f.col}:${f.rule}`} data-rule={f.rule}>
                <code>
                  {f.file}:{f.line}:{f.col}
                </code>{' '}
                <strong>{f.rule}</strong> ({f.class}
                {f.allowedBecause ? `, allowed because ${f.allowedBecause}` : ''}): {f.message}
                <br />
                <span className="muted">Safe alternative:</span> <span className="recipe">{f.safeAlternative}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {!env.error && pending > 0 && <MigrationPlan project={project} environment={env.name} />}
    </section>
  );
}
