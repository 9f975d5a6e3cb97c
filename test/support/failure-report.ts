import { beforeEach } from 'vitest';
import { failureReport, resetClosed } from './failure-logs.js';

// Every integration file: a failed test prints what its Systems' coordinators warned about (failure-logs.ts).
beforeEach((context) => {
  resetClosed();
  context.onTestFailed(() => {
    const report = failureReport();
    if (report) console.error(`Coordinator log lines at warn and above, for "${context.task.name}":\n${report}`);
  });
});
