import { byUrgency } from './incident-order.js';
import type { EnvironmentStatus } from './status-summary.js';

/** Text for HTML: every character that could open markup or an attribute is escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A time as the page's readers read one — `7 Dec 2026 11:01 UTC` — in UTC, since the page cannot know their zone,
 * and the exact ISO time in the `<time datetime>` attribute for machines. The same text whatever the server's locale.
 */
export function readableTime(at: Date | number | string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return escapeHtml(String(at));
  const pad = (n: number) => String(n).padStart(2, '0');
  const text =
    `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  return `<time datetime="${escapeHtml(d.toISOString())}">${text}</time>`;
}

const colours = { operational: '#1a7f37', degraded: '#9a6700', incident: '#cf222e' } as const;

/**
 * The public status page of a project: per environment its state, 30-day uptime, open incidents by severity
 * and start time, and the maintenance announced (times only). It shows nothing internal — no versions, hosts,
 * ports, deployment ids or incident titles (those are written for engineers and automatic ones carry versions and
 * figures): the authenticated JSON has them.
 */
export function renderStatusPage(project: string, statuses: EnvironmentStatus[], now: Date): string {
  const worst = statuses.some((s) => s.state === 'incident')
    ? 'incident'
    : statuses.some((s) => s.state === 'degraded')
      ? 'degraded'
      : 'operational';
  const headline = {
    operational: 'All systems operational',
    degraded: 'Degraded performance',
    incident: 'Incident in progress',
  }[worst];
  const rows = statuses
    .map((s) => {
      const uptime =
        s.uptime30d === null ? 'not measured' : `${(Math.floor(s.uptime30d * 100_000) / 1000).toFixed(3)} %`;
      // Ordered here too: the page promises severity then start time whoever built the statuses.
      const incidents = byUrgency(s.openIncidents)
        .map((i) => `<li>${escapeHtml(i.severity ?? 'incident')} since ${readableTime(i.openedAt)}</li>`)
        .join('');
      const maintenance = s.maintenance.map((m) => `<li>scheduled maintenance at ${readableTime(m.at)}</li>`).join('');
      return (
        `<section><h2>${escapeHtml(s.environment)} <span style="color:${colours[s.state]}">${escapeHtml(s.state)}` +
        `</span></h2><p>${escapeHtml(s.summary)} · uptime over 30 days: ${escapeHtml(uptime)}</p>` +
        (incidents ? `<ul>${incidents}</ul>` : '') +
        (maintenance ? `<ul>${maintenance}</ul>` : '') +
        '</section>'
      );
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30"><title>${escapeHtml(project)} status</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
h1{color:${colours[worst]}}</style>
</head><body><header><p>${escapeHtml(project)}</p><h1>${escapeHtml(headline)}</h1></header>
${rows}
<footer><p>Updated ${readableTime(now)}</p></footer></body></html>
`;
}
