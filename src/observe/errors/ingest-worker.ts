import { parentPort } from 'node:worker_threads';
import { answerJob, type WorkerJob } from './worker-job.js';

// Entry point of an ingest worker thread (ingest-workers.ts starts it). Jobs come in batches — every body the event
// loop received in one turn — and go back as one message: each message wakes the other thread, which on two busy
// cores cost more than reading the body (bench:ingest, --cpu-prof: postMessage was the main thread's largest item).
parentPort?.on('message', (jobs: WorkerJob[]) => {
  const moved = new Set<ArrayBuffer>();
  const answers = jobs.map((job) => answerJob(job, moved));
  parentPort!.postMessage(answers, [...moved]);
});
