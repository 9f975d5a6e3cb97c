import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isSlipwayError } from '../../shared/errors.js';
import { formatHostPort, parseHostPort } from '../proxy/address.js';
import { renderConfig } from './config-text.js';
import { HaproxyError } from './errors.js';
import { checkCandidate, type StateDir, writeStateDir } from './files.js';
import { mapContents } from './maps.js';
import type { MasterCli, ProcessList } from './master-cli.js';
import { runtimeCommands } from './runtime-plan.js';
import type { HaproxyState, ServerEntry } from './state.js';

/**
 * Puts a new state in force: through the runtime API when the shape is the same (config-text.ts
 * says what the shape is), else by a hitless reload of the master. `haproxy -c` judges every change
 * before anything is touched; files are written next, so a restarted haproxy serves what was applied;
 * on failure the previous files are put back (and reloaded when haproxy may hold part of the change).
 */
export class Installer {
  constructor(
    private readonly cli: MasterCli,
    private readonly where: StateDir,
    private readonly binary: string,
  ) {}

  /** Returns the state now in force; `beforeReload` runs just before a reload (to read the old worker's ring). */
  async install(
    prev: HaproxyState,
    next: HaproxyState,
    procs: ProcessList,
    beforeReload: () => Promise<unknown>,
  ): Promise<HaproxyState> {
    const shape = (s: HaproxyState) => renderConfig(s, { dir: this.where.dir, ringBytes: 0, withoutServers: true });
    const reload = shape(prev) !== shape(next);
    await checkCandidate(this.binary, this.where, next);
    await writeStateDir(this.where, next);
    try {
      if (reload) {
        await beforeReload();
        await this.reload(procs);
      } else {
        const resolved = { ...next, servers: await resolveAddresses(next.servers) };
        const commands = runtimeCommands(prev, resolved, mapContents(prev), mapContents(next), this.where.dir);
        await this.runAll(commands).catch(async (e: unknown) => {
          // The runtime state is part old, part new (or was not what state.json said): the files are whole.
          if (isSlipwayError(e) && e.code === 'unavailable') throw e;
          await this.reload(await this.cli.processes());
        });
      }
    } catch (e) {
      await writeStateDir(this.where, prev);
      if (!(isSlipwayError(e) && e.code === 'unavailable'))
        await this.cli
          .processes()
          .then((p) => this.reload(p))
          .catch(() => undefined);
      throw e;
    }
    if (!reload) return next;
    // After a reload the draining servers live on only in the old worker, which finishes their requests.
    const now = { ...next, servers: next.servers.filter((s) => s.state === 'active') };
    await writeStateDir(this.where, now);
    return now;
  }

  private async runAll(commands: readonly string[]): Promise<void> {
    let version = '';
    for (const command of commands) {
      const answer = await this.cli.change(command.replace('@next', `@${version}`));
      const created = /New version created: (\d+)/.exec(answer);
      if (created) version = created[1]!;
    }
  }

  /** Hitless reload through the master CLI; resolves once a new worker serves, rejects if the master refused. */
  async reload(before: ProcessList): Promise<void> {
    await this.cli.master('reload').catch(() => undefined);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const now = await this.cli.processes().catch(() => undefined);
      if (now && now.master === before.master && now.reloads > before.reloads) {
        if (now.failedReloads > before.failedReloads)
          throw new HaproxyError(
            'failed',
            `haproxy refused to reload its configuration; see ${this.where.dir}/haproxy.log`,
          );
        if (now.worker !== before.worker) return;
      }
      if (Date.now() > deadline)
        throw new HaproxyError('unavailable', `haproxy did not finish reloading within 15 s (${this.cli.socket})`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * `add server` never resolves a hostname (dynamic servers start with init-addr none), while a reload
 * would: so runtime commands get the address resolved here, as `haproxy -c` just did for the file.
 */
async function resolveAddresses(servers: readonly ServerEntry[]): Promise<ServerEntry[]> {
  return Promise.all(
    servers.map(async (s) => {
      const parsed = parseHostPort(s.address);
      if (!parsed || isIP(parsed.host) !== 0) return s;
      const { address } = await lookup(parsed.host);
      return { ...s, address: formatHostPort({ host: address, port: parsed.port }) };
    }),
  );
}
