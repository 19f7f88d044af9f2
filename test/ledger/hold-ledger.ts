/**
 * Test helper process: opens a DuckDB ledger, says "ready", and holds it (and its lock) until stdin ends.
 */
import { DuckDbLedger } from '../../src/ledger/duckdb.js';

const ledger = await DuckDbLedger.open(process.argv[2]!);
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void ledger.close().then(() => process.exit(0));
});
