import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { failureReport, releaseLogs, resetClosed, warnLines, watchLogs } from './failure-logs.js';

const line = (level: number, msg: string) => JSON.stringify({ level, time: 1, pid: 1, msg });

describe('failure logs', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    resetClosed();
  });

  it('keeps warn and above, the last ones, and skips lines that are not records', () => {
    const text = [line(30, 'info'), line(40, 'warned'), '{"cut off', 'plain', line(50, 'failed'), line(60, 'fatal')];
    expect(warnLines(text.join('\n')).map((l) => JSON.parse(l).msg)).toEqual(['warned', 'failed', 'fatal']);
    expect(warnLines(text.join('\n'), 2).map((l) => JSON.parse(l).msg)).toEqual(['failed', 'fatal']);
  });

  it('reports running Systems and those closed during the test, until the next test begins', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-failure-logs-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'a'));
    writeFileSync(path.join(dir, 'a', 'coordinator.log'), `${line(50, 'instance event lost')}\n${line(30, 'ok')}\n`);
    watchLogs('aaaaaaaa-1', path.join(dir, 'a'));
    expect(failureReport()).toContain('instance event lost');
    releaseLogs('aaaaaaaa-1');
    rmSync(path.join(dir, 'a'), { recursive: true });
    expect(failureReport()).toMatch(/coordinator\.log of System aaaaaaaa[\s\S]*instance event lost/);
    expect(failureReport()).not.toContain('"ok"');
    resetClosed();
    expect(failureReport()).toBe('');
  });
});
