/**
 * `show stat` CSV → requests in flight per server, summed over the backends it is in (a server of
 * a release set sits in its route backend and its slot backend under one name).
 */
export function inFlightByServer(csv: string): Map<string, number> {
  const lines = csv.split('\n');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  const svname = header.indexOf('svname');
  const scur = header.indexOf('scur');
  const out = new Map<string, number>();
  if (svname < 0 || scur < 0) return out;
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const name = f[svname];
    if (name === undefined || name === 'FRONTEND' || name === 'BACKEND' || name === '') continue;
    out.set(name, (out.get(name) ?? 0) + Number(f[scur] ?? 0));
  }
  return out;
}
