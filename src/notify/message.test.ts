import { describe, expect, it } from 'vitest';
import { composeMessage } from './message.js';

describe('composeMessage', () => {
  it('cuts a long title at a word with an ellipsis, within 150 characters and with no trailing space', () => {
    const title =
      'web 2.0.0 was rolled back automatically in production: canary analysis failed: error-rate.absolute: ' +
      'candidate 37.5 % (6 of 16 requests) > 1 % at 99.9 % confidence';
    const { message } = composeMessage(
      'on-incident-opened',
      { 'incident.title': title, environment: 'production' },
      new Date('2026-12-07T06:00:00Z'),
    );
    expect(message.title.length).toBeLessThanOrEqual(150);
    expect(message.title).toBe(
      'incident opened: web 2.0.0 was rolled back automatically in production: canary analysis failed: ' +
        'error-rate.absolute: candidate 37.5 % (6 of 16…',
    );
  });
});
