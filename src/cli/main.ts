#!/usr/bin/env node
import '../shared/wasm-baseline.js';
import { runCli } from './run.js';

// Output piped into `head` and closed early is not an error.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });

const code = await runCli(process.argv);
// Commands that serve (up, coordinator, proxy) keep the event loop busy until they are done.
process.exitCode = code;
if (code !== 0) process.exit(code);
