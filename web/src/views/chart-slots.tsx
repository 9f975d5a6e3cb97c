/**
 * The place the candidate-vs-stable charts take, known before uPlot (a lazy chunk) or the judge's looks arrive: each
 * chart is a box of this width and height from its first paint, and the placeholders are the same boxes, so nothing
 * below them moves when the charts are drawn (layout shift).
 */

/** uPlot's title, its 160 px plot with axes, and the legend (two lines when narrow), with a little to spare. */
export const chartBoxHeight = 240;

/** A chart's width: the main column less its padding, between 300 and 560 px. */
export function chartWidth(): number {
  return Math.min(560, Math.max(300, (document.querySelector('main')?.clientWidth ?? 600) - 40));
}

/** Empty boxes where `count` charts will be (the four series a canary's analysis usually has). */
export function ChartSlots({ count = 4 }: { count?: number }) {
  const width = chartWidth();
  return (
    <div className="charts" aria-busy="true">
      <span className="sr-only">Loading the charts…</span>
      {Array.from({ length: count }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identical empty boxes, never reordered
        <div key={i} className="chart-slot" style={{ width, minHeight: chartBoxHeight }} />
      ))}
    </div>
  );
}
