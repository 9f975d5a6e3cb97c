import { vi } from 'vitest';

/** What a command wrote to stdout and stderr while captured. */
export interface CapturedOutput {
  stdout: string;
  stderr: string;
}

/**
 * Write process.stdout and process.stderr into the returned object instead of the terminal, until
 * `vi.restoreAllMocks()` (a test's afterEach). For commands run in the test's own process.
 */
export function captureOutput(): CapturedOutput {
  const captured: CapturedOutput = { stdout: '', stderr: '' };
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    captured.stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    captured.stderr += String(chunk);
    return true;
  });
  return captured;
}
