/**
 * A freeze's cron as the runbook writes it for people: in words beside its expression. Nothing here depends on the
 * date (no "next start"): the same config writes the same text, which `slipway runbook --check` relies on.
 */

const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const number = /^\d+$/;

/** The days of a cron day-of-week field in words ("Friday", "Monday to Friday"), or undefined when it is unusual. */
function daysOf(field: string): string | undefined {
  if (field === '*') return 'day';
  const names: string[] = [];
  for (const part of field.split(',')) {
    const range = /^(\d)-(\d)$/.exec(part);
    if (range && Number(range[1]) < Number(range[2]) && Number(range[2]) <= 6)
      names.push(`${dayNames[Number(range[1])]} to ${dayNames[Number(range[2])]}`);
    else if (number.test(part) && Number(part) <= 7) names.push(dayNames[Number(part) % 7]!);
    else return undefined;
  }
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
}

/**
 * A freeze's cron in words, for the weekly ones people write ("every Friday at 16:00"); undefined for any other
 * shape, which the runbook then gives as the expression alone rather than guess.
 */
export function describeCron(cron: string): string | undefined {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5 || !number.test(f[0]!) || !number.test(f[1]!) || f[2] !== '*' || f[3] !== '*') return undefined;
  const [minute, hour] = [Number(f[0]), Number(f[1])];
  if (minute > 59 || hour > 23) return undefined;
  const days = daysOf(f[4]!);
  const at = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return days ? `every ${days} at ${at}` : undefined;
}
