import { useQuery } from '@tanstack/react-query';
import { api } from './client.js';
import type { Project } from './types.js';

/** The projects this coordinator knows (the same query the overview uses, so it is shared from the cache). */
export function useProjects() {
  return useQuery({
    queryKey: ['projects'],
    queryFn: () => api<{ projects: Project[] }>('GET', '/api/v1/projects'),
  });
}

/** `/api/v1/projects/<name>…` with the name encoded. */
export const projectPath = (project: string, rest = '') => `/api/v1/projects/${encodeURIComponent(project)}${rest}`;
