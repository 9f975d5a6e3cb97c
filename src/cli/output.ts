/** Output for people and scripts: colour only on a TTY without NO_COLOR; --json prints the API's objects as they are.
 * */

import { isControl } from '../shared/control-characters.js';

const useColor = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

const paint = (code: number) => (text: string) => (useColor() ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const cyan = paint(36);

/** Colour a state word by how it went. */
export function stateColor(state: string): string {
  if (['succeeded', 'healthy', 'running'].includes(state)) return green(state);
  if (['failed', 'rolled_back', 'crashed', 'unhealthy'].includes(state)) return red(state);
  if (['rolling_back', 'starting', 'queued', 'stopping', 'warm'].includes(state)) return yellow(state);
  return state;
}

/**
 * Text from outside (what an SDK sent: titles, messages, tags) as it may reach a terminal: C0 and C1 control
 * characters (escape sequences, newlines, BEL) written as \uXXXX or \n, so they show instead of acting.
 */
export function printable(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (code === 10) out += '\\n';
    else if (isControl(code)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

export { isControl };

/** Print JSON for scripts. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Render rows as aligned columns (ANSI codes do not count towards widths). */
const ansiCodes = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export function table(headers: string[], rows: string[][]): string {
  // ANSI colour codes (ESC [ … m) take no room on screen.
  const visible = (s: string) => s.replace(ansiCodes, '').length;
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visible(c))))
      .join('  ')
      .trimEnd();
  return [dim(line(headers)), ...rows.map(line)].join('\n');
}

/** "3s ago", "2m ago" from an ISO time. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
