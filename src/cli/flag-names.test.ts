import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../shared/errors.js';
import { namingFlags } from './flag-names.js';

const flags = { at: '--at', notifyBefore: '--notify-before 1x', environment: '--env', 'emergency.reason': '--reason' };
const named = (message: string) => namingFlags(new SlipwayError('invalid_input', message, { a: 1 }), flags);

describe('namingFlags', () => {
  it('names the flag where the API names its field, with or without body., keeping code and details', () => {
    expect(named('at: 2020-01-01T00:00:00.000Z is in the past (now 2026-12-05T21:00:00.000Z)')).toMatchObject({
      code: 'invalid_input',
      message: '--at: 2020-01-01T00:00:00.000Z is in the past (now 2026-12-05T21:00:00.000Z)',
      details: { a: 1 },
    });
    expect(named('notifyBefore: must be a duration like 30s, 500ms or 1m30s')).toMatchObject({
      message: '--notify-before 1x: must be a duration like 30s, 500ms or 1m30s',
    });
    expect(named('body.notifyBefore: Too big')).toMatchObject({ message: '--notify-before 1x: Too big' });
    expect(named('body.emergency.reason: say why')).toMatchObject({ message: '--reason: say why' });
    expect(named('environment: "qa" is not declared (staging)')).toMatchObject({
      message: '--env: "qa" is not declared (staging)',
    });
  });

  it('leaves other errors alone: another field, a sentence, not a SlipwayError', () => {
    const other = new SlipwayError('conflict', 'service: "web" is not declared');
    expect(namingFlags(other, flags)).toBe(other);
    const sentence = new SlipwayError('conflict', 'api 9.9.9 is already scheduled for staging at …');
    expect(namingFlags(sentence, flags)).toBe(sentence);
    const plain = new Error('at: x');
    expect(namingFlags(plain, flags)).toBe(plain);
  });
});
