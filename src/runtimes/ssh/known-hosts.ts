import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The OpenSSH-style fingerprint of a raw host key: `SHA256:<base64 without padding>`. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

interface Pin {
  fingerprint: string;
  firstSeen: string;
}

/** What checking a host's key found. */
export type HostKeyCheck = { ok: true; firstUse: boolean } | { ok: false; pinned: string; presented: string };

/**
 * Host keys pinned on first use (trust on first use, as `ssh` with `StrictHostKeyChecking=accept-new`):
 * the first key a host presents is recorded in a JSON file in Slipway's data directory; a later,
 * different key is refused until someone removes the host's entry on purpose.
 */
export class KnownHosts {
  private pins: Record<string, Pin>;

  constructor(readonly file: string) {
    try {
      this.pins = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Pin>;
    } catch {
      this.pins = {};
    }
  }

  /** Check `key` for `hostPort` (`host:port`), pinning it when the host is new. */
  check(hostPort: string, key: Buffer): HostKeyCheck {
    const presented = fingerprint(key);
    const pin = this.pins[hostPort];
    if (pin)
      return pin.fingerprint === presented
        ? { ok: true, firstUse: false }
        : { ok: false, pinned: pin.fingerprint, presented };
    this.pins[hostPort] = { fingerprint: presented, firstSeen: new Date().toISOString() };
    this.save();
    return { ok: true, firstUse: true };
  }

  /** The pinned fingerprint of a host, if any. */
  pinned(hostPort: string): string | undefined {
    return this.pins[hostPort]?.fingerprint;
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.pins, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
