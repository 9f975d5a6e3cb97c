/**
 * What one PromQL instant query gave, as data: a number, nothing usable (`nodata`) or a
 * failure (`error`) with Prometheus' own words and the query.
 */
export type QueryOutcome =
  | { phase: 'ok'; value: number }
  | { phase: 'nodata'; message: string }
  | { phase: 'error'; message: string };

interface ApiAnswer {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

/** Read an /api/v1/query answer (HTTP status and body text) into an outcome. */
export function parseQueryAnswer(httpStatus: number, body: string, query: string, address: string): QueryOutcome {
  let answer: ApiAnswer;
  try {
    answer = JSON.parse(body) as ApiAnswer;
  } catch {
    const text = body.trim().slice(0, 200);
    return {
      phase: 'error',
      message:
        `Prometheus at ${address} answered HTTP ${httpStatus} with something that is not ` +
        `JSON${text ? `: ${text}` : ''}`,
    };
  }
  if (typeof answer !== 'object' || answer === null)
    return {
      phase: 'error',
      message: `Prometheus at ${address} answered HTTP ${httpStatus} with ${JSON.stringify(answer)}`,
    };
  if (answer.status === 'error' || httpStatus >= 400) {
    const type = typeof answer.errorType === 'string' ? answer.errorType : `HTTP ${httpStatus}`;
    const error = typeof answer.error === 'string' ? answer.error : 'no error message';
    return { phase: 'error', message: `${type}: ${error} (query: ${query})` };
  }
  return outcomeOfData(answer.data, query);
}

function outcomeOfData(data: ApiAnswer['data'], query: string): QueryOutcome {
  const resultType = data?.resultType;
  const result = data?.result;
  if (resultType === 'scalar') return outcomeOfSample(result, query);
  if (resultType === 'vector' && Array.isArray(result)) {
    if (result.length === 0) return { phase: 'nodata', message: `query returned no series: ${query}` };
    if (result.length > 1)
      return {
        phase: 'error',
        message:
          `query returned ${result.length} series, expected one (aggregate it, e.g. sum(...) or max(...)): ` +
          `${query}`,
      };
    return outcomeOfSample((result[0] as { value?: unknown }).value, query);
  }
  if (resultType === 'matrix')
    return {
      phase: 'error',
      message:
        `query returned a range vector, expected an instant vector or a scalar (wrap it, e.g. ` +
        `rate(...[{window}])): ${query}`,
    };
  return {
    phase: 'error',
    message: `query returned a result of type ${JSON.stringify(resultType)}, expected a vector or a scalar: ${query}`,
  };
}

/** A sample is [unixSeconds, "value"]; Prometheus writes NaN and ±Inf as strings too. */
function outcomeOfSample(sample: unknown, query: string): QueryOutcome {
  const raw = Array.isArray(sample) ? sample[1] : undefined;
  if (typeof raw !== 'string')
    return { phase: 'error', message: `query returned a sample without a value (${JSON.stringify(sample)}): ${query}` };
  if (raw === 'NaN') return { phase: 'nodata', message: `query returned NaN (no requests in the window?): ${query}` };
  if (/^[+-]?Inf$/.test(raw)) return { phase: 'nodata', message: `query returned ${raw}: ${query}` };
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value))
    return {
      phase: 'error',
      message: `query returned the value ${JSON.stringify(raw)}, which is not a number: ${query}`,
    };
  return { phase: 'ok', value };
}
