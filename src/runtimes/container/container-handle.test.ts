import { describe, expect, it } from 'vitest';
import { parseContainerHandle } from './container-handle.js';

const good = {
  runtime: 'container',
  address: '127.0.0.1:32768',
  containerId: 'a'.repeat(64),
  startedAt: '2026-12-04T11:25:35.6579012Z',
  pid: 4242,
  restarts: 2,
};

describe('container handles', () => {
  it('keeps a handle it wrote', () => {
    expect(parseContainerHandle(good, 'ins_1')).toEqual(good);
  });

  it('names the instance and field that is wrong', () => {
    expect(() => parseContainerHandle({ ...good, runtime: 'local' }, 'ins_1')).toThrow(/ins_1: handle runtime/);
    expect(() => parseContainerHandle({ ...good, containerId: '../x' }, 'ins_1')).toThrow(/handle containerId/);
    expect(() => parseContainerHandle({ ...good, address: 'nowhere' }, 'ins_1')).toThrow(/handle address/);
  });
});
