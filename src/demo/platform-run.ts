import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ApiClient } from '../cli/client.js';
import { followRollout } from '../cli/follow-rollout.js';
import type { RolloutView } from '../cli/render-rollout.js';
import { debianPython, platformDir } from './platform-workspace.js';

const run = promisify(execFile);

/** What harbor-platform needs that npm does not bring, each with how to get it; [] when all is there. */
export async function missingForPlatform(options: { browser?: boolean } = {}): Promise<string[]> {
  const missing: string[] = [];
  if (options.browser !== false && !existsSync('/usr/bin/chromium'))
    missing.push('Chromium at /usr/bin/chromium (apt-get install chromium)');
  try {
    await run(debianPython, ['-c', 'import fastapi, uvicorn, psycopg'], { timeout: 30_000 });
  } catch {
    missing.push(`FastAPI for ${debianPython} (apt-get install python3-fastapi python3-uvicorn python3-psycopg)`);
  }
  return missing;
}

/** Build every release of the quote page into `${outRoot}/<version>/dist` (Vite, in its own process). */
export async function buildPages(outRoot: string, signal?: AbortSignal): Promise<void> {
  await run(process.execPath, [path.join(platformDir, 'build.mjs'), '--out', outRoot], {
    signal,
    timeout: 180_000,
  });
}

export interface ReleaseOutcome {
  rollout: RolloutView;
  /** From the `release` request to the rollout's end: all tiers live, or all back. */
  ms: number;
}

/** `slipway release VERSION --env staging --wait`, through the API; `onChange` hears each component's new phase. */
export async function releaseAndWait(
  client: ApiClient,
  project: string,
  version: string,
  onChange: (line: string) => void = () => undefined,
): Promise<ReleaseOutcome> {
  const asked = Date.now();
  const { rollout } = await client.call<{ rollout: RolloutView }>(
    'POST',
    `/api/v1/projects/${encodeURIComponent(project)}/rollouts`,
    { environment: 'staging', version },
  );
  const final = await followRollout(client, rollout, (_r, changed) => {
    for (const c of changed)
      if (c.phase !== 'pending' && c.phase !== 'unchanged')
        onChange(`+${((Date.now() - asked) / 1000).toFixed(1).padStart(5)} s  ${c.service} ${c.to} ${c.phase}`);
  });
  return { rollout: final, ms: Date.now() - asked };
}
