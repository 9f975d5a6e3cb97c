import { type Metric, onCLS, onINP, onLCP } from 'web-vitals';

/**
 * Real User Monitoring: Core Web Vitals and JavaScript errors go to the proxy's beacon intake
 * (`<route>/.slipway/rum`) as `{ release, name, value, id }`, tagged with the release the bundle was
 * built as, so the canary judge can compare a candidate page with the stable one. sendBeacon survives
 * the page being closed, which is when CLS and INP are final.
 */

/** One random id per page view: the judge counts a page that throws many times as one page with errors. */
const view = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;

function send(name: string, value: number, id: string): void {
  const body = JSON.stringify({ release: __RELEASE__, name, value, id });
  // A Blob carries the JSON content type; on the same origin that needs no preflight.
  const sent = navigator.sendBeacon?.(__RUM_URL__, new Blob([body], { type: 'application/json' }));
  if (!sent) void fetch(__RUM_URL__, { method: 'POST', body, keepalive: true }).catch(() => undefined);
}

export function reportWebVitals(): void {
  const metric = (m: Metric) => send(m.name, m.value, m.id);
  onLCP(metric);
  onINP(metric);
  onCLS(metric);
  // Errors the page did not handle; the message is not sent (it may carry user data), only that it happened.
  addEventListener('error', () => send('error', 1, view));
  addEventListener('unhandledrejection', () => send('error', 1, view));
}
