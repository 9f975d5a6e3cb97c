import type { Step } from '../api/types.js';

/** The plan as a timeline: done steps, the current one (marked for screen readers too), the pending ones. */
export function PlanTimeline({ steps }: { steps: Step[] }) {
  return (
    <ol className="plan" data-testid="plan">
      {steps.map((s, i) => (
        <li
          // Steps have no id; their position is their identity within one plan.
          // biome-ignore lint/suspicious/noArrayIndexKey: the plan is fixed for a deployment
          key={i}
          className={`step ${s.status}`}
          aria-current={s.status === 'running' ? 'step' : undefined}
        >
          <span className="dot" aria-hidden="true" />
          <span>
            {s.description}
            <span className="sr-only"> ({s.status})</span>
          </span>
        </li>
      ))}
    </ol>
  );
}
