import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDbLedger } from '../../src/ledger/duckdb.js';
import { describeLedgerSuite } from './suite.js';

describeLedgerSuite({
  name: 'DuckDB',
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'netledger-duck-'));
    return DuckDbLedger.open(join(dir, 'ledger.duckdb'));
  },
  async dispose(ledger) {
    await rm(dirname(ledger.location), { recursive: true, force: true });
  },
});
