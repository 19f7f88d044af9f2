/**
 * The Sniffer reports the server shows: this host's status files (`--stats`) and the peers' copies,
 * merged as the composite report does (sum, max, union), grouped by /24 or by subdomain, cached per
 * grouping and format with the seed's semantics (io/cached-file.ts).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeStatusTables } from '../aggregate/sniffer-merge.js';
import { NetledgerError, UsageError, fromFsError } from '../model/errors.js';
import {
  buildSnifferReport,
  renderSnifferText,
  snifferJsonValue,
  type SnifferGrouping,
} from '../report/sniffer.js';
import { requestDump, type DumpResult } from '../sources/sniffer/dump-request.js';
import { readStatusTable } from '../sources/sniffer/read.js';
import type { SnifferStatusTable } from '../sources/sniffer/status.js';
import { compositeChunks, formatCompositeHeader } from '../sources/sniffer/write.js';
import { toJson } from '../report/tabular.js';
import { cachedFile, type CachedBody, type CacheSettings, type Encoding } from '../io/cached-file.js';
import { gatherPeers, type Peer, type PeerReport } from './peers.js';

export interface SnifferSettings extends CacheSettings {
  /** This host's status files. */
  stats: readonly string[];
  peers: readonly Peer[];
  /** Longest wait for one peer, milliseconds. */
  peerTimeoutMs: number;
  /** Cache files and peer copies live here. */
  cacheDir: string;
  utc: boolean;
  /** The sensor's dump listener (`--sniffer-update`), for `POST /api/sniffer/dump`. */
  update?: { host: string; port: number };
}

export function parseGrouping(text: string | undefined): SnifferGrouping {
  if (text === undefined || text === 'cidr24') return 'cidr24';
  if (text === 'domain') return 'domain';
  throw new UsageError(`invalid by '${text}': expected cidr24 or domain`);
}

function combine(statuses: SnifferStatusTable[]): SnifferStatusTable {
  if (statuses.length === 1) return statuses[0]!;
  const merged = mergeStatusTables(statuses);
  return { header: formatCompositeHeader(merged), table: merged.table };
}

/** This host's own status, for peers: the one status file as it is, or the composite of several. */
export async function localStatusFile(stats: readonly string[]): Promise<Buffer> {
  if (stats.length === 0) throw new UsageError('this server has no status file (--stats)');
  if (stats.length === 1) {
    try {
      return await readFile(stats[0]!);
    } catch (error) {
      throw fromFsError(error, stats[0]!);
    }
  }
  const merged = mergeStatusTables(await Promise.all(stats.map((file) => readStatusTable(file))));
  return Buffer.concat([...compositeChunks(merged, merged.table)]);
}

async function compositeStatus(
  settings: SnifferSettings,
): Promise<{ status: SnifferStatusTable; peers: PeerReport[] }> {
  // Read and merged as columns, as the CLI does: a million-IP file otherwise makes four million small
  // objects (docs/sniffer.md).
  const [local, remote] = await Promise.all([
    Promise.all(settings.stats.map((file) => readStatusTable(file))),
    gatherPeers(settings.peers, join(settings.cacheDir, 'peers'), settings.peerTimeoutMs),
  ]);
  const statuses = [...local, ...remote.statuses];
  if (statuses.length === 0)
    throw new UsageError('no Sniffer status: no --stats file given and no peer answered');
  return { status: combine(statuses), peers: remote.reports };
}

export type SnifferFormat = 'json' | 'text';

/** The report as JSON (renderSnifferJson plus `peers` and `generatedAt`) or as the original's text. */
export async function snifferReport(
  settings: SnifferSettings,
  grouping: SnifferGrouping,
  format: SnifferFormat,
  encoding: Encoding = 'identity',
): Promise<CachedBody> {
  const file = join(settings.cacheDir, `sniffer-${grouping}.${format}`);
  return cachedFile(
    file,
    settings,
    async () => {
      const { status, peers } = await compositeStatus(settings);
      const report = buildSnifferReport(status, grouping);
      if (format === 'text') return renderSnifferText(report, { utc: settings.utc });
      // One serialisation: the report's value with the server's fields after it.
      const value = { ...snifferJsonValue(report), generatedAt: Math.floor(Date.now() / 1000), peers };
      return toJson(value) + '\n';
    },
    encoding,
  );
}

/**
 * Asks the sensor to write its status file now (as `netledger sniffer dump`), waits for the new file, and
 * drops the cached reports so that the next view is computed from it.
 */
export async function requestSnifferDump(settings: SnifferSettings): Promise<DumpResult> {
  if (settings.update === undefined || settings.stats.length !== 1)
    throw new NetledgerError(
      'NL_ERR_NOT_FOUND',
      'no sensor to ask: give one --stats file and --sniffer-update',
    );
  const result = await requestDump({
    ...settings.update,
    statsFile: settings.stats[0]!,
    timeoutSeconds: settings.lockSeconds,
  });
  for (const grouping of ['cidr24', 'domain'])
    for (const name of ['json', 'text', 'json.gz', 'text.gz'])
      await rm(join(settings.cacheDir, `sniffer-${grouping}.${name}`), { force: true });
  return result;
}
