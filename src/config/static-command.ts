import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * How to run Slipway's static file server (src/static/main.ts) as an instance: the same node with
 * the entry of the code that is running — dist/static/main.js in the built package, or the
 * TypeScript source through tsx's loader in a source checkout (tests). SLIPWAY_ENTRY=dist forces
 * the built entry, as it does for the proxy (src/app/proxy-command.ts).
 */
export function staticServerCommand(): [string, string[]] {
  const here = fileURLToPath(new URL('../static/main.js', import.meta.url));
  if (existsSync(here)) return [process.execPath, [here]];
  if (process.env.SLIPWAY_ENTRY === 'dist') {
    const built = fileURLToPath(new URL('../../dist/static/main.js', import.meta.url));
    if (!existsSync(built)) throw new Error(`SLIPWAY_ENTRY=dist but ${built} does not exist; run npm run build`);
    return [process.execPath, [built]];
  }
  return [process.execPath, ['--import', import.meta.resolve('tsx'), here.replace(/\.js$/, '.ts')]];
}
