/**
 * Choosing and opening a ledger: `--ledger PATH`, else `NETLEDGER_LEDGER`, else `./netledger.duckdb`;
 * `clickhouse://host:8123/db` selects the ClickHouse backend. Backends load lazily, so commands that never
 * touch the ledger do not pay for DuckDB or the ClickHouse client.
 */
import type { Ledger } from './types.js';

export const DEFAULT_LEDGER = './netledger.duckdb';

export function resolveLedgerLocation(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return option ?? env.NETLEDGER_LEDGER ?? DEFAULT_LEDGER;
}

export function isClickHouseLocation(location: string): boolean {
  return /^clickhouse:\/\//i.test(location);
}

export async function openLedger(location: string): Promise<Ledger> {
  if (isClickHouseLocation(location)) {
    const { ClickHouseLedger } = await import('./clickhouse.js');
    return ClickHouseLedger.open(location);
  }
  const { DuckDbLedger } = await import('./duckdb.js');
  return DuckDbLedger.open(location);
}
