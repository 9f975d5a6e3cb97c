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
    expect(templateProblem('{{ servce }} failed')).toBe('unknown placeholder {{servce}} (did you mean {{service}}?)');
    expect(templateProblem('{{ nope }} failed')).toMatch(/^unknown placeholder \{\{nope\}\}; one of: trigger, /);
    expect(templateProblem('{{ service } failed')).toMatch(/unbalanced/);
    expect(templateProblem('done }}')).toMatch(/unbalanced/);
    expect(templateProblem('plain text')).toBeUndefined();
  });

  it('names every unknown placeholder at once, each with a guess when one is close', () => {
    expect(templateProblem('{{service}} {{nope1}} {{nope2}} {{verdict.scor}}')).toMatch(
      'unknown placeholders {{nope1}}, {{nope2}}, {{verdict.scor}} (did you mean {{verdict.score}}?); ' +
        'one of: trigger, ',
    );
    expect(templateProblem('{{servce}} {{enviroment}}')).toBe(
      'unknown placeholders {{servce}} (did you mean {{service}}?), {{enviroment}} (did you mean {{environment}}?)',
    );
  });

  it('shows where braces are unbalanced: the character and the text around it', () => {
    expect(templateProblem('{{service}} failed: {{ reason } see the log')).toBe(
      'unbalanced {{ or }} at character 21 (near "failed: {{ reason }"): a placeholder is written {{ name }}',
    );
    expect(templateProblem('done }}')).toBe(
      'unbalanced {{ or }} at character 6 (near "done }}"): a placeholder is written {{ name }}',
    );
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
