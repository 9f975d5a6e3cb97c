import { stateColor } from './output.js';

/**
 * A state as people read it: `rolled_back` → `rolled back`. Human output says it this way everywhere (status, history,
 * the deploy summary, the demo); --json and the API keep the state names, which scripts match on.
 * @example stateText('rolling_back') // 'rolling back'
 */
export function stateText(state: string): string {
  return state.replaceAll('_', ' ');
}

/** stateText, coloured by how it went (stateColor: green succeeded, red failed or rolled back, …). */
export function stateWord(state: string): string {
  return stateColor(state).replace(state, stateText(state));
}
