/** Identity of an upstream across table updates. */
export function upstreamKey(
  environment: string,
  service: string,
  release: string,
  id: string,
  address: string,
): string {
  return `${environment}\u0000${service}\u0000${release}\u0000${id}\u0000${address}`;
}
