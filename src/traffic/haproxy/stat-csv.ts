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

/** Client connections open on the environments' frontends (`e_…`), idle keep-alive ones included. */
export function clientConnections(csv: string): number {
  const lines = csv.split('\n');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  const [pxname, svname, scur] = ['pxname', 'svname', 'scur'].map((c) => header.indexOf(c)) as [number, number, number];
  let open = 0;
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[svname] === 'FRONTEND' && f[pxname]?.startsWith('e_')) open += Number(f[scur] ?? 0);
  }
  return open;
}
