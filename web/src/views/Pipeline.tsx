import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import { denial, useSession } from '../api/session.js';
import type { Project, Session } from '../api/types.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { Time } from '../ui/Time.js';
import { Decide, type Pending } from './steer/Decide.js';

interface Stage {
  environment: string;
  state: 'live' | 'deployed' | 'failed' | 'ready' | 'waiting';
  waitsFor: string[];
}
interface ReleaseStages {
  service: string;
  version: string;
  createdAt: string;
  stages: Stage[];
}
interface Approval {
  service: string;
  version: string;
  environment: string;
  state: 'approved' | 'pending' | 'rejected';
  required: number;
  approvedBy: string[];
  rejection: { by: string; reason: string; at: string } | null;
  waitsFor: string | null;
}

const stateWords: Record<Stage['state'], string> = {
  live: 'live',
  deployed: 'deployed before',
  failed: 'failed',
  ready: 'ready to promote',
  waiting: 'waiting',
};

/**
 * Who may decide: the API lets an approver role decide, and also the names on the environment's
 * approver list, which it states only in the approval's words ("… waits for 1 more from: lead, role:approver").
 */
function approveDenial(session: Session, a: Approval): string | null {
  const byRole = denial(session, 'approver', a.environment);
  if (!byRole) return null;
  const named = /from: (.*)$/.exec(a.waitsFor ?? '')?.[1]?.split(', ') ?? [];
  return named.includes(session.user) ? null : byRole;
}

/** Releases × environments: where each release is, what it waits for, and the decisions that move it. */
export default function Pipeline() {
  const projects = useQuery({
    queryKey: ['projects'],
    queryFn: () => api<{ projects: Project[] }>('GET', '/api/v1/projects'),
  });
  const [pending, setPending] = useState<Pending | null>(null);
  if (projects.isError) return <ErrorState error={projects.error} what="the projects" />;
  if (!projects.data) return <Loading what="the projects" lines={8} />;
  return (
    <section>
      <h1>Pipeline</h1>
      {projects.data.projects.map((p) => (
        <ProjectPipeline key={p.name} project={p} decide={setPending} />
      ))}
      <Decide pending={pending} onClose={() => setPending(null)} />
    </section>
  );
}

function ProjectPipeline({ project, decide }: { project: Project; decide: (p: Pending) => void }) {
  const { session } = useSession();
  const name = encodeURIComponent(project.name);
  const pipeline = useQuery({
    queryKey: ['pipeline', project.name],
    queryFn: () => api<{ releases: ReleaseStages[] }>('GET', `/api/v1/projects/${name}/pipeline`),
  });
  const approvals = useQuery({
    queryKey: ['pipeline', project.name, 'approvals'],
    queryFn: () => api<{ approvals: Approval[] }>('GET', `/api/v1/projects/${name}/approvals`),
  });
  const environments = project.environments.map((e) => e.name);
  const approvalOf = (r: ReleaseStages, env: string) =>
    approvals.data?.approvals.find((a) => a.service === r.service && a.version === r.version && a.environment === env);
  return (
    <section aria-labelledby={`pipe-${project.name}`}>
      <h2 id={`pipe-${project.name}`}>{project.name}</h2>
      {pipeline.isError ? (
        <ErrorState error={pipeline.error} what="the pipeline" />
      ) : !pipeline.data ? (
        <Loading what="the pipeline" lines={6} />
      ) : pipeline.data.releases.length === 0 ? (
        <p>No releases yet: deploy one to the first environment with slipway deploy.</p>
      ) : (
        <div className="scroll-x">
          <table className="pipeline">
            <caption className="sr-only">Releases of {project.name} by environment</caption>
            <thead>
              <tr>
                <th scope="col">Release</th>
                {environments.map((e) => (
                  <th scope="col" key={e}>
                    {e}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {pipeline.data.releases.map((r) => (
                <tr key={`${r.service} ${r.version}`} data-testid={`release-${r.service}-${r.version}`}>
                  <th scope="row">
                    {r.service} <strong>{r.version}</strong>
                    <br />
                    <small>
                      created <Time at={r.createdAt} />
                    </small>
                  </th>
                  {environments.map((env) => {
                    const stage = r.stages.find((s) => s.environment === env);
                    const approval = approvalOf(r, env);
                    return (
                      <td key={env} data-testid={`stage-${r.service}-${r.version}-${env}`}>
                        <span className="env-label">{env}: </span>
                        {stage ? (
                          <Cell
                            release={r}
                            stage={stage}
                            approval={approval}
                            project={project.name}
                            session={session}
                            decide={decide}
                          />
                        ) : (
                          '—'
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Cell(props: {
  release: ReleaseStages;
  stage: Stage;
  approval: Approval | undefined;
  project: string;
  session: Session;
  decide: (p: Pending) => void;
}) {
  const { release: r, stage, approval: a, project, session, decide } = props;
  const base = { project, service: r.service, version: r.version, environment: stage.environment };
  const promoteDenied = denial(session, 'deployer', stage.environment);
  const approveDenied = a ? approveDenial(session, a) : null;
  const reasonId = `why-${r.service}-${r.version}-${stage.environment}`;
  return (
    <>
      <span className={`stage stage-${stage.state}`}>{stateWords[stage.state]}</span>
      {stage.waitsFor.length > 0 && (
        <ul className="waits">
          {stage.waitsFor.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {a && (
        <p className="approval">
          Approvals {a.approvedBy.length}/{a.required}
          {a.approvedBy.length > 0 ? ` (${a.approvedBy.join(', ')})` : ''}
          {a.rejection && (
            <>
              <br />
              Rejected by {a.rejection.by}: <q>{a.rejection.reason}</q>
            </>
          )}
        </p>
      )}
      <div className="actions">
        {a && a.state !== 'approved' && (
          <>
            <button
              type="button"
              disabled={approveDenied !== null}
              aria-describedby={approveDenied ? reasonId : undefined}
              onClick={() => decide({ ...base, decision: 'approve' })}
            >
              Approve
            </button>
            <button
              type="button"
              className="danger"
              disabled={approveDenied !== null}
              aria-describedby={approveDenied ? reasonId : undefined}
              onClick={() => decide({ ...base, decision: 'reject' })}
            >
              Reject
            </button>
          </>
        )}
        {stage.state === 'ready' && (
          <button
            type="button"
            className="primary"
            disabled={promoteDenied !== null}
            aria-describedby={promoteDenied ? reasonId : undefined}
            onClick={() => decide({ ...base, decision: 'promote' })}
          >
            Promote
          </button>
        )}
        {((a && a.state !== 'approved' && approveDenied) || (stage.state === 'ready' && promoteDenied)) && (
          <p id={reasonId} className="denied" data-testid="denied">
            Disabled: {(a && a.state !== 'approved' && approveDenied) || promoteDenied}.
          </p>
        )}
      </div>
    </>
  );
}
