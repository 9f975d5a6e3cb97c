import { describe, expect, it } from 'vitest';
import { byUrgency } from './incident-order.js';
import type { IncidentFact } from './model.js';
import { renderStatusPage } from './status-page.js';
import { environmentState } from './status-summary.js';

describe('environmentState', () => {
  it('incident over degraded over operational', () => {
    expect(environmentState({ openIncidents: 2, recentProbeFailures: 3, rollingBack: 1 })).toEqual({
      state: 'incident',
      summary: '2 open incidents',
    });
    expect(environmentState({ openIncidents: 0, recentProbeFailures: 1, rollingBack: 0 }).state).toBe('degraded');
    expect(environmentState({ openIncidents: 0, recentProbeFailures: 0, rollingBack: 1 }).summary).toBe(
      'a change is being rolled back',
    );
    expect(environmentState({ openIncidents: 0, recentProbeFailures: 0, rollingBack: 0 }).state).toBe('operational');
  });
});

describe('renderStatusPage', () => {
  it('escapes every text and leaves incident titles and ids out', () => {
    const html = renderStatusPage(
      '<script>alert(1)</script>',
      [
        {
          environment: 'prod"><img src=x onerror=alert(1)>',
          state: 'incident',
          summary: '1 open incident',
          uptime30d: 0.99912,
          openIncidents: [
            {
              id: 'inc_secret',
              severity: '<b>sev1</b>',
              title: 'api 1.4.2 on 10.0.0.5:8080 down',
              openedAt: Date.parse('2026-12-04T10:00:00Z'),
              deployments: ['dep_1'],
            },
          ],
          maintenance: [],
        },
        {
          environment: 'staging',
          state: 'operational',
          summary: 'all systems operational',
          uptime30d: null,
          openIncidents: [],
          maintenance: [{ at: '2026-12-05T22:00:00.000Z' }],
        },
      ],
      new Date('2026-12-04T10:05:00Z'),
    );
    expect(html).not.toMatch(/<script>|<img|<b>/);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('prod&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('<h1>Incident in progress</h1>'.replace('<h1>', '<h1>'));
    expect(html).toContain(
      '&#60;b&#62;sev1&#60;/b&#62; since <time datetime="2026-12-04T10:00:00.000Z">4 Dec 2026 10:00 UTC</time>',
    );
    expect(html).toContain('uptime over 30 days: 99.912 %');
    expect(html).toContain('uptime over 30 days: not measured');
    for (const internal of ['inc_secret', '1.4.2', '10.0.0.5', 'dep_1']) expect(html).not.toContain(internal);
    // What a maintenance notice links to: the time announced, nothing of what will be deployed.
    expect(html).toContain(
      '<li>scheduled maintenance at <time datetime="2026-12-05T22:00:00.000Z">5 Dec 2026 22:00 UTC</time></li>',
    );
    // Times for people who are not engineers: no raw ISO time with milliseconds outside an attribute.
    expect(html.replace(/datetime="[^"]*"/g, '')).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(html).toContain('Updated <time datetime="2026-12-04T10:05:00.000Z">4 Dec 2026 10:05 UTC</time>');
  });
});

describe('open incidents by severity, then start time', () => {
  const at = (m: number) => Date.parse('2026-12-04T10:00:00Z') + m * 60_000;
  const incident = (id: string, severity: string | undefined, m: number): IncidentFact => ({
    id,
    ...(severity ? { severity } : {}),
    openedAt: at(m),
    deployments: [],
  });
  // Listed as the store folds them: by start time.
  const open = [
    incident('a', 'sev4', 0),
    incident('b', undefined, 1),
    incident('c', 'sev2', 2),
    incident('d', 'p0', 3),
    incident('e', 'sev1', 4),
    incident('f', 'sev2', 5),
  ];

  it('the worst first, the oldest first within a severity; an unknown severity after sev4, none last', () => {
    expect(byUrgency(open).map((i) => i.id)).toEqual(['e', 'c', 'f', 'a', 'd', 'b']);
    expect(open.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('the page lists a sev2 above a sev4 that opened before it', () => {
    const html = renderStatusPage(
      'harbor',
      [
        {
          environment: 'production',
          state: 'incident',
          summary: '2 open incidents',
          uptime30d: null,
          openIncidents: [incident('a', 'sev4', 0), incident('c', 'sev2', 2)],
          maintenance: [],
        },
      ],
      new Date(at(10)),
    );
    expect(html).toMatch(/<ul><li>sev2 since <time [^>]*>4 Dec 2026 10:02 UTC<\/time><\/li><li>sev4 since <time /);
  });
});
