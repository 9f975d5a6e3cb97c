import { executionAsyncResource } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { TransactionGuard } from './transaction-guard.js';

/**
 * How many AsyncLocalStorages a new promise is visited by: each one Node has seen run leaves its store on every async
 * resource created afterwards (Node 20 forgets none until `disable()`).
 */
async function storagesVisited(): Promise<number> {
  await null;
  return Object.getOwnPropertySymbols(executionAsyncResource()).filter((s) => s.description === 'kResourceStore')
    .length;
}

describe('TransactionGuard', () => {
  it('refuses its own Db inside its transaction, not another Db, and not once the transaction ended', async () => {
    const a = new TransactionGuard();
    const b = new TransactionGuard();
    let escaped: (() => void) | undefined;
    await a.run(async () => {
      expect(() => a.assertOutside('query')).toThrow(StoreError);
      expect(() => b.assertOutside('query')).not.toThrow();
      await b.run(async () => {
        // Still inside a's transaction too.
        expect(() => a.assertOutside('query')).toThrow(/inside db\.transaction\(\)/);
        expect(() => b.assertOutside('exec')).toThrow(/db\.exec\(\)/);
      });
      escaped = () => a.assertOutside('query');
    });
    expect(() => a.assertOutside('query')).not.toThrow();
    // A callback made inside the transaction and run after it ended: the transaction is over, so it may.
    expect(escaped).not.toThrow();
  });

  it('many Dbs do not make every promise slower: they share one AsyncLocalStorage', async () => {
    await new TransactionGuard().run(async () => undefined);
    const before = await storagesVisited();
    for (let i = 0; i < 50; i++) await new TransactionGuard().run(async () => undefined);
    expect(await storagesVisited()).toBe(before);
  });
});
