// Prometheus text exposition for the example, written out by hand so the example has no
// dependencies: requests by release and status class, and a latency histogram by release.

const bucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(release) {
  const requests = new Map(); // "route|code" → count
  const buckets = new Array(bucketsSeconds.length).fill(0);
  let sum = 0;
  let count = 0;

  return {
    /** Record one finished request. */
    observe(route, status, seconds) {
      const key = `${route}|${status}`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      for (let i = 0; i < bucketsSeconds.length; i++) if (seconds <= bucketsSeconds[i]) buckets[i]++;
      sum += seconds;
      count++;
    },
    /** The exposition text. */
    render() {
      const rel = JSON.stringify(release);
      const lines = [
        '# HELP harbor_requests_total Requests served, by route and status code.',
        '# TYPE harbor_requests_total counter',
      ];
      for (const [key, n] of requests) {
        const [route, code] = key.split('|');
        lines.push(`harbor_requests_total{release=${rel},route=${JSON.stringify(route)},code="${code}"} ${n}`);
      }
      lines.push(
        '# HELP harbor_request_duration_seconds Request latency.',
        '# TYPE harbor_request_duration_seconds histogram',
      );
      for (const [i, le] of bucketsSeconds.entries())
        lines.push(`harbor_request_duration_seconds_bucket{release=${rel},le="${le}"} ${buckets[i]}`);
      lines.push(`harbor_request_duration_seconds_bucket{release=${rel},le="+Inf"} ${count}`);
      lines.push(`harbor_request_duration_seconds_sum{release=${rel}} ${sum}`);
      lines.push(`harbor_request_duration_seconds_count{release=${rel}} ${count}`);
      return `${lines.join('\n')}\n`;
    },
  };
}
