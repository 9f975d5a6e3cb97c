/** Output for people and scripts: colour only on a TTY without NO_COLOR; --json prints the API's objects as they are.
 * */

import { isControl } from '../shared/control-characters.js';
import { isInvisible } from '../shared/invisible-characters.js';

const colorOn = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

const paint = (code: number) => (text: string) => (colorOn() ? `\u001b[${code}m${text}\u001b[0m` : text);
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
 * characters (escape sequences, newlines, BEL) written as \uXXXX or \n, so they show instead of acting; those in
 * `keep` (a note's tabs) stay as they are. Bidirectional controls and zero-width characters too (U+202E would
 * reverse the rest of the line; the API refuses them now, but older records may hold them).
 */
export function printable(text: string, keep = ''): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (keep.includes(c)) out += c;
    else if (code === 10) out += '\\n';
    else if (isControl(code) || isInvisible(code)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

export { isControl };

/** The colour codes paint() writes (ESC [ n m): the only sequences a table cell keeps, and only while colour is on. */
const ownColour = new RegExp(`^${String.fromCharCode(27)}\\[(?:0|1|2|31|32|33|36)m`);

/**
 * A painted cell as it may reach a terminal: printable(), except for the colours this CLI painted. Without colour
 * every ESC in a cell is someone else's.
 */
export function printableCell(cell: string): string {
  if (!colorOn()) return printable(cell);
  let out = '';
  let from = 0;
  for (let at = cell.indexOf('\u001b'); at >= 0; at = cell.indexOf('\u001b', at + 1)) {
    const code = ownColour.exec(cell.slice(at))?.[0];
    if (!code) continue;
    out += printable(cell.slice(from, at)) + code;
    from = at + code.length;
    at = from - 1;
  }
  return out + printable(cell.slice(from));
}

/** Print JSON for scripts. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A table cell this CLI coloured itself (a state, a dimmed dash): table() keeps its colours. Any stored text in it
 * must already be through printable(). A colour code cannot say who wrote it, so only the caller can tell.
 */
export interface Painted {
  readonly painted: string;
}

/** Mark a cell as coloured by this CLI: `painted(stateColor(d.state))`. */
export const painted = (text: string): Painted => ({ painted: text });

/**
 * A string cell is stored text (incident titles, reasons, notification messages): every control character in it
 * shows escaped, even one that looks like our colours, so it can neither recolour the screen nor split the row.
 */
export type Cell = string | Painted;

/** Render rows as aligned columns (ANSI codes do not count towards widths). */
const ansiCodes = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export function table(headers: string[], cells: Cell[][]): string {
  const rows = cells.map((r) => r.map((c) => (typeof c === 'string' ? printable(c) : printableCell(c.painted))));
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
