/**
 * The linter's test corpus: SQL cases with the class and rules expected per statement, covering
 * every rule, the relaxations for objects created in the same file, allow directives, parse
 * errors and whole migrations modelled on real projects. corpus.test.ts runs them all.
 */
import type { CorpusCase } from './corpus/case.js';
import { columnTypeCases } from './corpus/column-types.js';
import { columnCases } from './corpus/columns.js';
import { constraintCases } from './corpus/constraints.js';
import { dataCases } from './corpus/data.js';
import { directiveCases } from './corpus/directives.js';
import { indexCases } from './corpus/indexes.js';
import { nameAndValidityCases } from './corpus/names-and-validity.js';
import { parseErrorCases } from './corpus/parse-errors.js';
import { realWorldCases } from './corpus/real-world.js';
import { tableCases } from './corpus/tables.js';
import { transactionCases } from './corpus/transactions.js';
import { typeCases } from './corpus/types-and-domains.js';

export type { CorpusCase, CorpusExpectation } from './corpus/case.js';

/** Every case, grouped by concept. */
export const corpus: readonly CorpusCase[] = [
  ...columnCases,
  ...columnTypeCases,
  ...tableCases,
  ...indexCases,
  ...constraintCases,
  ...typeCases,
  ...dataCases,
  ...transactionCases,
  ...directiveCases,
  ...parseErrorCases,
  ...realWorldCases,
  ...nameAndValidityCases,
];
