/**
 * Which way a test looks. `greater`: the first sample (the candidate) is larger than the
 * second or than the hypothesised value; `less`: smaller; `two-sided`: either.
 */
export type Alternative = 'two-sided' | 'greater' | 'less';
