/**
 * argus 3 flow data as a netledger source: two readers with one output.
 *
 * - `native` (default): the built-in decoder of the binary format ({@link readArgusNative}).
 * - `ra`: Debian's argus-client `ra` spawned and its CSV parsed ({@link readArgusViaRa}).
 */
import { PassThrough } from 'node:stream';
import type { SourceCounters, TrafficRecord } from '../../model/record.js';
import { flowToTrafficRecords, type ArgusFlow } from './flow.js';
import { readArgusNative } from './native.js';
import { readArgusViaRa } from './ra.js';

export * from './flow.js';
export { ArgusDecoder, readArgusNative } from './native.js';
export { readArgusViaRa, parseRaRow, raArguments, RA_FIELDS } from './ra.js';

export type ArgusReader = 'native' | 'ra';
export const ARGUS_READERS: readonly ArgusReader[] = ['native', 'ra'];

/** Reads `file` (`-` = stdin) with the chosen reader, calling `onFlow` per flow record. */
export function readArgus(
  file: string,
  onFlow: (flow: ArgusFlow) => void,
  reader: ArgusReader = 'native',
): Promise<SourceCounters> {
  if (reader === 'native') return readArgusNative(file, onFlow);
  return file === '-'
    ? readArgusViaRa('-', onFlow, { stdin: process.stdin.pipe(new PassThrough()), name: '<stdin>' })
    : readArgusViaRa(file, onFlow);
}

/**
 * The common records of an argus file, one per flow direction that carried packets.
 *
 * @example
 * for await (const record of argusRecords('day.argus')) console.log(record.src, record.bytes);
 */
export async function* argusRecords(
  file: string,
  options: { reader?: ArgusReader; sensor?: string } = {},
): AsyncGenerator<TrafficRecord, SourceCounters> {
  const queue: TrafficRecord[] = [];
  let done = false;
  let failure: unknown;
  let counters: SourceCounters | undefined;
  let wake: (() => void) | undefined;
  const reading = readArgus(
    file,
    (flow) => {
      for (const record of flowToTrafficRecords(flow, options.sensor)) queue.push(record);
      wake?.();
    },
    options.reader,
  ).then(
    (result) => {
      counters = result;
      done = true;
      wake?.();
    },
    (error: unknown) => {
      failure = error;
      done = true;
      wake?.();
    },
  );
  while (true) {
    if (queue.length > 0) {
      for (const record of queue.splice(0)) yield record;
      continue;
    }
    if (done) break;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  await reading;
  if (failure !== undefined) throw failure;
  return counters!;
}
