import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { useProjects } from '../api/projects.js';
import type { Project } from '../api/types.js';

/** The project a view shows: `?project=` in the URL, else the first one; a picker when there are several. */
export function useChosenProject(): { project?: Project; picker: ReactNode; error: unknown } {
  const projects = useProjects();
  const [params, setParams] = useSearchParams();
  const list = projects.data?.projects ?? [];
  const wanted = params.get('project');
  const project = list.find((p) => p.name === wanted) ?? list[0];
  const picker =
    list.length > 1 ? (
      <label className="picker">
        Project
        <select
          value={project?.name ?? ''}
          onChange={(e) => {
            const next = new URLSearchParams(params);
            next.set('project', e.target.value);
            setParams(next, { replace: true });
          }}
        >
          {list.map((p) => (
            <option key={p.name}>{p.name}</option>
          ))}
        </select>
      </label>
    ) : null;
  return { project, picker, error: projects.error };
}
