/**
 * The server: the Sniffer report over HTTP of one 100k-IP status file, and the composite of that file
 * plus one peer with another 100k IPs (first view computes, later views are served from the cache), and
 * /api/top and /api/series over a DuckDB ledger of 200k generated flows. Prints requests/s and peak
 * memory; never asserts.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbLedger } from '../src/ledger/duckdb.js';
import { startServer, type ServeSettings } from '../src/server/serve.js';
import { generateRecords } from '../test/ledger/generate.js';
import { measure } from './lib/measure.js';
import { ensureStatusFile } from './lib/sniffer-status.js';

const outDir = fileURLToPath(new URL('./out/server/', import.meta.url));
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const statusFile = (name: string, seed: number, ips: number) =>
  ensureStatusFile(join(outDir, name), ips, seed);

const base: ServeSettings = {
  host: '127.0.0.1',
  port: 0,
  stats: [],
  peers: [],
  peerTimeoutSeconds: 10,
  refreshSeconds: 300,
  lockSeconds: 30,
  utc: true,
};

/** One GET with node:http, the body read raw (a gzip body is not decompressed): the server's cost. */
function get(url: string, encoding: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': encoding } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(bytes)
          : reject(new Error(`${url}: HTTP ${response.statusCode}`)),
      );
    })
      .on('error', reject)
      .end();
  });
}

let lastBytes = 0;
async function requests(
  url: string,
  count: number,
  concurrency: number,
  encoding = 'identity',
): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) lastBytes = await get(url, encoding);
    }),
  );
  return count;
}

const peer = await startServer({
  ...base,
  stats: [statusFile('peer.stats', 7, 100_000)],
  cacheDir: join(outDir, 'peer'),
});
await measure('Sniffer report of one 100k-IP status file, first view (text)', 'reports', () =>
  requests(`${peer.url}/api/sniffer/report?by=cidr24&format=text`, 1, 1),
);
const composite = await startServer({
  ...base,
  stats: [statusFile('local.stats', 20261125, 100_000)],
  peers: [{ kind: 'http', url: peer.url }],
  cacheDir: join(outDir, 'composite'),
});
const report = `${composite.url}/api/sniffer/report?by=cidr24`;
await measure('Sniffer composite 2x100k IPs, first view (fetch+merge)', 'reports', () =>
  requests(report, 1, 1),
);
await measure('Sniffer composite, 10 concurrent first views (domain)', 'reports', () =>
  requests(`${composite.url}/api/sniffer/report?by=domain&format=text`, 10, 10),
);
await measure('Sniffer composite, cached views (8 conc., identity)', 'requests', () =>
  requests(report, 200, 8),
);
console.log(`  ${(lastBytes / 1e6).toFixed(1)} MB per view`);
await measure('Sniffer composite, cached views (8 conc., gzip)', 'requests', () =>
  requests(report, 400, 8, 'gzip'),
);
console.log(`  ${(lastBytes / 1e6).toFixed(1)} MB per view`);
await composite.app.close();
await peer.app.close();

const FLOWS = 200_000;
const ledgerPath = join(outDir, 'ledger.duckdb');
const ledger = await DuckDbLedger.open(ledgerPath);
const records = generateRecords(FLOWS, 42);
await measure('ingest generated flows (setup)', 'records', async () => {
  await ledger.ingestSource(
    {
      identity: 'bench:server',
      path: 'bench',
      format: 'ndjson',
      fromOffset: 0,
      size: FLOWS,
      contentHash: 'x',
    },
    (async function* () {
      for (let i = 0; i < records.length; i += 10_000) yield records.slice(i, i + 10_000);
    })(),
  );
  return FLOWS;
});
await ledger.close();
const api = await startServer({ ...base, ledger: ledgerPath, cacheDir: join(outDir, 'api') });
await measure(`/api/top?by=host&limit=20 over ${FLOWS} flows (4 conc.)`, 'requests', () =>
  requests(`${api.url}/api/top?by=host&limit=20`, 200, 4),
);
await measure(`/api/series?by=host&bin=auto&limit=5 (4 conc.)`, 'requests', () =>
  requests(`${api.url}/api/series?by=host&bin=auto&limit=5`, 50, 4),
);
await api.app.close();
