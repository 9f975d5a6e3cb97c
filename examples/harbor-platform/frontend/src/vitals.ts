import { type Metric, onCLS, onINP, onLCP } from 'web-vitals';

/**
 * Core Web Vitals for Real User Monitoring: each final value goes to the beacon endpoint, tagged
 * with the release, so LCP and the rest can be compared between a canary and the stable page.
 * sendBeacon survives the page being closed, which is when CLS and INP are final.
 */
export function reportWebVitals(): void {
  const send = (metric: Metric) => {
    const body = JSON.stringify({
      name: metric.name,
      value: metric.value,
      rating: metric.rating,
      id: metric.id,
      navigationType: metric.navigationType,
      release: __RELEASE__,
      path: location.pathname,
    });
    // A Blob carries the JSON content type; on the same origin that needs no preflight.
    const sent = navigator.sendBeacon?.(__RUM_URL__, new Blob([body], { type: 'application/json' }));
    if (!sent) void fetch(__RUM_URL__, { method: 'POST', body, keepalive: true }).catch(() => undefined);
  };
  onLCP(send);
  onINP(send);
  onCLS(send);
}
