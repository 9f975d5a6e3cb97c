import { describe, expect, it } from 'vitest';
import { renderPipeline } from './render-pipeline.js';

describe('the releases section of slipway status', () => {
  it('says an environment the release may go to next is ready to promote, not that it is ready there', () => {
    const out = renderPipeline([
      {
        service: 'quote-api',
        version: '1.1.0',
        createdAt: '2026-12-07T10:00:00.000Z',
        stages: [
          { environment: 'staging', state: 'live', waitsFor: [] },
          { environment: 'production', state: 'ready', waitsFor: [] },
        ],
      },
    ]);
    expect(out.split('\n')).toEqual([
      '',
      'releases',
      '  quote-api 1.1.0: staging ● live → production ready to promote',
    ]);
  });

  it('prints each thing a stage waits for on a line of its own', () => {
    const out = renderPipeline([
      {
        service: 'quote-api',
        version: '2.0.0',
        createdAt: '2026-12-07T10:00:00.000Z',
        stages: [
          { environment: 'staging', state: 'failed', waitsFor: [] },
          {
            environment: 'production',
            state: 'waiting',
            waitsFor: ['it failed in staging: deploy a fixed release there first'],
          },
        ],
      },
    ]);
    expect(out.split('\n').slice(2)).toEqual([
      '  quote-api 2.0.0: staging ✘ failed → production waiting',
      '    production waits: it failed in staging: deploy a fixed release there first',
    ]);
  });
});
