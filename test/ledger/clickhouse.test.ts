import { randomBytes } from 'node:crypto';
import { ClickHouseLedger } from '../../src/ledger/clickhouse.js';
import { canConnect, requireService } from '../support/services.js';
import { describeLedgerSuite } from './suite.js';

export const CLICKHOUSE_HTTP = 'http://127.0.0.1:8123';

const available = requireService(await canConnect(8123), 'ClickHouse on 127.0.0.1:8123');

describeLedgerSuite(
  {
    name: 'ClickHouse',
    open() {
      return ClickHouseLedger.open(`clickhouse://127.0.0.1:8123/nl_test_${randomBytes(6).toString('hex')}`);
    },
    async dispose(ledger) {
      const db = ledger.location.split('/').pop()!;
      await fetch(`${CLICKHOUSE_HTTP}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${db}` });
    },
  },
  available,
);
