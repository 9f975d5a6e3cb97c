import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Verdict } from '../api/types.js';
import { chartBoxHeight, chartWidth } from './chart-slots.js';

/** One chart's series, read from the judge's looks (each look measures candidate and stable over its window). */
interface Series {
  title: string;
  unit: string;
  /** x (unix s), candidate, stable — null where the look had no figure. */
  data: [number[], (number | null)[], (number | null)[]];
}

const pick = (v: Verdict, metric: string, field: 'candidate' | 'stable') =>
  v.metrics.find((m) => m.metric === metric)?.[field] ?? null;

/** Request rate between two looks: the growth of the sample count over the time between them. */
function rates(looks: Verdict[], field: 'candidateCount' | 'stableCount'): (number | null)[] {
  return looks.map((v, i) => {
    const prev = looks[i - 1];
    const count = v.metrics.find((m) => m.metric === 'error-rate')?.[field];
    const before = prev?.metrics.find((m) => m.metric === 'error-rate')?.[field];
    if (!prev || count === undefined || before === undefined) return null;
    const seconds = (Date.parse(v.at) - Date.parse(prev.at)) / 1000;
    return seconds > 0 && count >= before ? (count - before) / seconds : null;
  });
}

export function seriesOf(verdicts: Verdict[]): Series[] {
  const looks = [...verdicts].reverse();
  const x = looks.map((v) => Date.parse(v.at) / 1000);
  const s = (title: string, unit: string, c: (number | null)[], st: (number | null)[]): Series => ({
    title,
    unit,
    data: [x, c, st],
  });
  const list = [
    s(
      'Error rate',
      '%',
      looks.map((v) => pick(v, 'error-rate', 'candidate')),
      looks.map((v) => pick(v, 'error-rate', 'stable')),
    ),
    s(
      'Latency p50',
      'ms',
      looks.map((v) => pick(v, 'latency', 'candidate')),
      looks.map((v) => pick(v, 'latency', 'stable')),
    ),
    s(
      'Latency p95',
      'ms',
      looks.map((v) => pick(v, 'latency-p95', 'candidate')),
      looks.map((v) => pick(v, 'latency-p95', 'stable')),
    ),
    s('Request rate', 'req/s', rates(looks, 'candidateCount'), rates(looks, 'stableCount')),
  ];
  // A rule the service's analysis does not run has no figures: no empty chart for it.
  return list.filter((c) => c.data[1].some((n) => n !== null) || c.data[2].some((n) => n !== null));
}

/** Tick spacings of the time axis, in seconds: tenths for an analysis of a second or two, up to a day. */
const clockSteps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];

/** A tick (seconds since the epoch) as the viewer's wall-clock time: HH:MM:SS, with tenths when `step` < 1 s. */
function clockTime(t: number, step: number): string {
  const tenths = Math.round(t * 10); // ticks are float multiples of the step: 0.30000000000000004
  const time = new Date(tenths * 100).toLocaleTimeString('en-GB', { hour12: false });
  return step < 1 ? `${time}.${tenths % 10}` : time;
}

function Chart({ series, width }: { series: Series; width: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The newest figures, for a plot made again (new width) between two updates.
  const data = useRef(series.data as uPlot.AlignedData);
  data.current = series.data as uPlot.AlignedData;
  useEffect(() => {
    const unit = series.unit;
    plot.current = new uPlot(
      {
        width,
        height: 160,
        title: `${series.title} (${unit})`,
        scales: { x: { time: true } },
        axes: [
          // Wall-clock times (HH:MM:SS, tenths when ticks are under a second apart) rather than uPlot's ":17.400".
          {
            stroke: 'currentColor',
            incrs: clockSteps,
            space: 70,
            values: (_u, ticks, _axis, _space, step) => ticks.map((t) => clockTime(t, step)),
          },
          { stroke: 'currentColor', values: (_u, ticks) => ticks.map((t) => `${t}`) },
        ],
        series: [
          {},
          {
            label: 'candidate',
            stroke: '#d9480f',
            width: 2,
            value: (_u, v) => (v == null ? '—' : `${v.toFixed(2)} ${unit}`),
          },
          {
            label: 'stable',
            stroke: '#1c7ed6',
            width: 2,
            value: (_u, v) => (v == null ? '—' : `${v.toFixed(2)} ${unit}`),
          },
        ],
      },
      data.current,
      box.current!,
    );
    return () => plot.current?.destroy();
  }, [series.title, series.unit, width]);
  useEffect(() => {
    plot.current?.setData(series.data as uPlot.AlignedData);
  }, [series.data]);
  return (
    <div
      ref={box}
      className="chart"
      style={{ width, minHeight: chartBoxHeight }}
      role="img"
      aria-label={`${series.title} of candidate and stable over time`}
    />
  );
}

/** Live charts of candidate vs stable: error rate, latency p50/p95, request rate; updated with every look. */
export default function Charts({ verdicts }: { verdicts: Verdict[] }) {
  const list = seriesOf(verdicts);
  const width = chartWidth();
  if (list.length === 0)
    return <p className="muted">No figures yet: the judge has not looked (canary analysis starts with traffic).</p>;
  return (
    <div className="charts">
      {list.map((s) => (
        <Chart key={s.title} series={s} width={width} />
      ))}
    </div>
  );
}
