import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, templateProblem } from './template.js';

describe('templates', () => {
  it('fills placeholders, with or without spaces', () => {
    expect(
      renderTemplate('{{service}} {{ from }} → {{to}} in {{ environment }}', {
        service: 'api',
        from: '1.0.0',
        to: '1.1.0',
        environment: 'production',
      }),
    ).toBe('api 1.0.0 → 1.1.0 in production');
  });

  it('names an unknown placeholder and unbalanced braces', () => {
    expect(templateProblem('{{ servce }} failed')).toMatch(/unknown placeholder \{\{servce\}\}; one of: trigger/);
    expect(templateProblem('{{ service } failed')).toMatch(/unbalanced/);
    expect(templateProblem('done }}')).toMatch(/unbalanced/);
    expect(templateProblem('plain text')).toBeUndefined();
  });

  it('fails at render time when the event has no value for a placeholder', () => {
    expect(() => renderTemplate('score {{verdict.score}}', { service: 'api' })).toThrow(
      '{{verdict.score}} has no value for this event',
    );
  });

  it('keeps text around placeholders', () => {
    expect(parseTemplate('a {{by}} b')).toEqual([{ text: 'a ' }, { name: 'by' }, { text: ' b' }]);
  });
});
