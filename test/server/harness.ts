/**
 * Test harness for the server: a DuckDB ledger filled with seeded records, a server on 127.0.0.1 port 0,
 * and small HTTP helpers. Every server gets its own temp directory (ledger, cache, peer copies).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DuckDbLedger } from '../../src/ledger/duckdb.js';
import { ingestFile } from '../../src/ledger/ingest.js';
import type { TrafficRecord } from '../../src/model/record.js';
import { startServer, type ServeSettings } from '../../src/server/serve.js';

export const fixture = (name: string) => new URL(`../sniffer/fixtures/${name}`, import.meta.url).pathname;

export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A ledger file holding `records` (ingested from an NDJSON file, then closed). */
export async function makeLedger(dir: string, records: readonly TrafficRecord[]): Promise<string> {
  const flows = join(dir, 'flows.ndjson');
  await writeFile(flows, records.map((record) => JSON.stringify(record) + '\n').join(''));
  const location = join(dir, 'ledger.duckdb');
  const ledger = await DuckDbLedger.open(location);
  try {
    await ingestFile(ledger, flows, { format: 'ndjson' });
  } finally {
    await ledger.close();
  }
  return location;
}

// Response bodies are JSON of many shapes; tests assert on them directly.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply {
  status: number;
  body: Json;
  text: string;
  headers: Headers;
}

export interface Running {
  app: FastifyInstance;
  url: string;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply>;
}

export async function serve(settings: Partial<ServeSettings> & { cacheDir: string }): Promise<Running> {
  const { app, url } = await startServer({
    host: '127.0.0.1',
    port: 0,
    stats: [],
    peers: [],
    peerTimeoutSeconds: 2,
    refreshSeconds: 300,
    lockSeconds: 5,
    utc: true,
    ...settings,
  });
  const parse = async (response: Response): Promise<Reply> => {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text, headers: response.headers };
  };
  return {
    app,
    url,
    get: async (path, headers = {}) => parse(await fetch(url + path, { headers, redirect: 'manual' })),
    post: async (path, body, headers = {}) =>
      parse(
        await fetch(url + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          redirect: 'manual',
        }),
      ),
  };
}
