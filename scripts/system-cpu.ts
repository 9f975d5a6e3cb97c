/**
 * The CPU a test System's processes use (coordinator, proxy, instances, from /proc): to ready, after one deployment,
 * and after 20 s idle. A measuring aid for the suite's time (README, Measured), not a benchmark:
 *   npm run build && SLIPWAY_ENTRY=dist node --import tsx scripts/system-cpu.ts [embedded|postgres]
 */
import { readFileSync } from 'node:fs';
import { pidsWithEnv } from '../src/shared/tagged-processes.js';
import { System } from '../test/support/system.js';

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // gone
  }
}

function kindOf(pid: number): string {
  const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  if (/ coordinator /.test(cmd)) return 'coordinator';
  if (/main\.js proxy /.test(cmd)) return 'proxy';
  if (/worker-main/.test(cmd)) return 'proxyWorker';
  if (/server\.js/.test(cmd)) return 'instances';
  return 'other';
}

function reading(system: System): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of pidsWithEnv('SLIPWAY_TEST_RUN', system.tag)) {
    try {
      const kind = kindOf(pid);
      out[kind] = Math.round(((out[kind] ?? 0) + cpuSeconds(pid)) * 100) / 100;
    } catch {
      // gone
    }
  }
  return out;
}

const store = process.argv[2] === 'postgres' ? 'postgres' : 'embedded';
const began = Date.now();
const system = await System.start({ store });
try {
  const readyMs = Date.now() - began;
  const ready = reading(system);
  const d = await system.deploy('1.0.0');
  await system.finish(d.id);
  const deployed = reading(system);
  await new Promise((r) => setTimeout(r, 20_000));
  const idle = reading(system);
  process.stdout.write(`${JSON.stringify({ store, readyMs, cpuSeconds: { ready, deployed, idle20s: idle } })}\n`);
} finally {
  await system.close();
}
