import type { Traffic } from '../api/types.js';

/** The traffic split as a bar and in words ("stable 1.1.0 90 %, candidate 1.2.0 10 %"). */
export function TrafficBar({ traffic }: { traffic: Traffic[] }) {
  if (traffic.length === 0) return <p className="muted">no traffic routed</p>;
  const words = traffic.map((t) => `${t.role} ${t.release} ${t.weight} %`).join(', ');
  return (
    <div className="traffic">
      <div className="bar" role="img" aria-label={`traffic: ${words}`}>
        {traffic.map((t) => (
          <span key={`${t.role}-${t.release}`} className={`seg ${t.role}`} style={{ flexGrow: t.weight }} />
        ))}
      </div>
      <p className="traffic-words">{words}</p>
    </div>
  );
}
