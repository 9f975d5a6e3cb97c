import { describe, expect, it } from 'vitest';
import { groupCommits, notesMarkdown } from './conventional.js';

describe('groupCommits', () => {
  it('features, fixes, breaking changes (! or footer), other types and plain subjects as written', () => {
    const notes = groupCommits([
      { sha: 'a'.repeat(40), subject: 'feat(quotes): prices in EUR', body: '' },
      { sha: 'b'.repeat(40), subject: 'fix: rounding of premiums', body: '' },
      { sha: 'c'.repeat(40), subject: 'feat(api)!: drop /v1/quote', body: '' },
      { sha: 'd'.repeat(40), subject: 'refactor: split pricing', body: 'BREAKING CHANGE: config key renamed\n' },
      { sha: 'e'.repeat(40), subject: 'chore: bump deps', body: '' },
      { sha: 'f'.repeat(40), subject: 'Update README', body: '' },
    ]);
    expect(notes.features).toEqual([{ sha: 'a'.repeat(40), text: 'prices in EUR', scope: 'quotes' }]);
    expect(notes.fixes).toEqual([{ sha: 'b'.repeat(40), text: 'rounding of premiums' }]);
    expect(notes.breaking.map((e) => e.text)).toEqual(['drop /v1/quote', 'split pricing: config key renamed']);
    expect(notes.other.map((e) => e.text)).toEqual(['chore: bump deps', 'Update README']);
    expect(notesMarkdown({ service: 'api', version: '1.1.0', fromVersion: '1.0.0' }, notes)).toBe(
      '# api 1.1.0 (since 1.0.0)\n\n## Breaking changes\n\n- **api:** drop /v1/quote (ccccccc)\n' +
        '- split pricing: config key renamed (ddddddd)\n\n## Features\n\n- **quotes:** prices in EUR (aaaaaaa)\n\n' +
        '## Fixes\n\n- rounding of premiums (bbbbbbb)\n\n## Other changes\n\n- chore: bump deps (eeeeeee)\n' +
        '- Update README (fffffff)\n',
    );
  });

  it('no commits: says so', () => {
    expect(notesMarkdown({ service: 'api', version: '1.0.1' }, groupCommits([]))).toBe('# api 1.0.1\n\nNo changes.\n');
  });
});
