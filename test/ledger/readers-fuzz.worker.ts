/**
 * Worker of readers-fuzz.test.ts: sniffs one file with every adapter and reads it through one, per
 * request, and reports how it ended. In a thread of its own so that a reader stuck in a loop can be stopped (the parent terminates
 * the worker when a case runs over its time).
 */
import { parentPort } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { ADAPTERS, adapterFor, SNIFF_BYTES } from '../../src/ledger/adapters.js';
import { NetledgerError } from '../../src/model/errors.js';
import type { Counter, TrafficRecord } from '../../src/model/record.js';

export interface FuzzRequest {
  id: number;
  format: string;
  path: string;
}

export type FuzzReply =
  | { id: number; outcome: 'ok'; records: number; violations: string[] }
  | { id: number; outcome: 'error'; code: string; line: string; namesFile: boolean }
  | { id: number; outcome: 'crash'; name: string; message: string; stack: string };

function counterProblem(name: string, value: Counter): string | undefined {
  if (typeof value === 'bigint') return value < 0n ? `${name} ${value} < 0` : undefined;
  if (typeof value !== 'number') return `${name} is a ${typeof value}`;
  if (!Number.isFinite(value)) return `${name} ${value} is not finite`;
  if (value < 0) return `${name} ${value} < 0`;
  if (!Number.isInteger(value)) return `${name} ${value} is not an integer`;
  return undefined;
}

/**
 * What every record must hold for the ledger (the model, and the NDJSON reader's checks): counters are
 * finite integers ≥ 0, start ≤ end, ports and VLAN integers 0..65535 (USMALLINT columns).
 */
function violations(record: TrafficRecord): string[] {
  const out: string[] = [];
  for (const field of ['sport', 'dport', 'vlan'] as const) {
    const value = record[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 65535)) {
      out.push(`${field} ${value} is not an integer 0..65535`);
    }
  }
  for (const problem of [counterProblem('packets', record.packets), counterProblem('bytes', record.bytes)]) {
    if (problem !== undefined) out.push(problem);
  }
  if (!Number.isFinite(record.start) || !Number.isFinite(record.end)) {
    out.push(`start ${record.start} / end ${record.end} not finite`);
  } else if (record.start > record.end) out.push(`start ${record.start} > end ${record.end}`);
  return out;
}

async function read(request: FuzzRequest): Promise<FuzzReply> {
  const { id, format, path } = request;
  try {
    // Every adapter's sniff sees the head of every case (what `ingest --format auto` does first).
    const head = (await readFile(path)).subarray(0, SNIFF_BYTES);
    for (const adapter of ADAPTERS) {
      if (typeof adapter.sniff(head) !== 'boolean')
        throw new Error(`${adapter.format} sniff gave no boolean`);
    }
    let records = 0;
    const problems: string[] = [];
    for await (const batch of adapterFor(format).read(path, { fromOffset: 0 })) {
      for (const record of batch) {
        records++;
        if (problems.length < 3) {
          for (const problem of violations(record)) problems.push(`record ${records}: ${problem}`);
        }
      }
    }
    return { id, outcome: 'ok', records, violations: problems };
  } catch (error) {
    if (error instanceof NetledgerError) {
      const line = error.describe();
      return { id, outcome: 'error', code: error.code, line, namesFile: line.includes(path) };
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    return {
      id,
      outcome: 'crash',
      name: failure.name,
      message: failure.message,
      stack: failure.stack ?? '',
    };
  }
}

parentPort!.on('message', (request: FuzzRequest) => {
  void read(request).then((reply) => parentPort!.postMessage(reply));
});
parentPort!.postMessage('ready');
