/** `dependsOn` names declared services, never the service itself, and never closes a cycle (from the raw input). */
import type { RawIssue } from './messages.js';
import { entriesOf, field, isMapping } from './raw.js';
import { hint } from './suggest.js';

export function checkDependsOn(raw: unknown): RawIssue[] {
  if (!isMapping(field(raw, 'services'))) return [];
  const services = entriesOf(field(raw, 'services'));
  const names = services.map(([name]) => name);
  const issues: RawIssue[] = [];
  const edges = new Map<string, string[]>();
  for (const [service, config] of services) {
    const listed = field(config, 'dependsOn');
    if (!Array.isArray(listed)) continue;
    const known: string[] = [];
    listed.forEach((other, i) => {
      if (typeof other !== 'string') return; // the schema reports it
      const path = ['services', service, 'dependsOn', i];
      if (other === service) issues.push({ path, message: `${service} cannot depend on itself` });
      else if (!names.includes(other))
        issues.push({ path, message: `unknown service "${other}"${hint(other, names, 'a declared service')}` });
      else known.push(other);
    });
    edges.set(service, known);
  }
  const cycle = findCycle(names, edges);
  if (cycle)
    issues.push({
      path: ['services', cycle[0]!, 'dependsOn'],
      message: `dependency cycle: ${cycle.join(' → ')}; a release could never start any of them`,
    });
  return issues;
}

/** One cycle as a path that starts and ends at the same service (depth-first search), or undefined. */
function findCycle(names: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'closed'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'closed') return undefined;
    if (state.get(name) === 'open') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'open');
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'closed');
    return undefined;
  };
  for (const name of names) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
