/** Why an ingest request is refused; `status` is the HTTP answer (400, 401, 403, 413, 429). */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly status: 400 | 401 | 403 | 413 | 415 | 429,
    message: string,
    /** Seconds before retrying (429). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}
