import { useEffect, useState } from 'react';
import { absoluteTime, relativeTime } from './format.js';

/** A time shown relative ("2 min. ago") with the absolute UTC time beside it; re-rendered every 10 s. */
export function Time({ at }: { at: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(t);
  }, []);
  return (
    <time dateTime={at} title={absoluteTime(at)} className="time">
      {relativeTime(at, now)} <span className="abs">({absoluteTime(at)})</span>
    </time>
  );
}
