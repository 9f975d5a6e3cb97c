import { describe, expect, it } from 'vitest';
import { parseShowProc } from './master-cli.js';

describe('parseShowProc', () => {
  it('finds the master, its reload counts, the current worker and the old ones', () => {
    const text = [
      '#<PID>          <type>          <reloads>       <uptime>        <version>',
      '20637           master          2 [failed: 1]   0d00h00m07s     2.6.12-1+deb12u4',
      '# workers',
      '20921           worker          0               0d00h00m01s     2.6.12-1+deb12u4',
      '20872           worker          1               0d00h00m03s     2.6.12-1+deb12u4',
      '# programs',
    ].join('\n');
    expect(parseShowProc(text)).toEqual({
      master: 20637,
      reloads: 2,
      failedReloads: 1,
      worker: 20921,
      oldWorkers: [20872],
    });
    expect(parseShowProc('Unknown command.\n')).toBeUndefined();
  });
});
