/**
 * Status files of other hosts, for the composite Sniffer report. A peer is another `netledger serve`
 * (fetched over HTTP from `/api/sniffer/status` with its token) or a command template in the spirit of the
 * seed's ssh+rsync mode (`rsync -a host:/var/run/nc.sniffer/nc.sniffer.stats {dest}`), run without a shell.
 *
 * Every fetch is bounded by a timeout. The last good copy of each peer is kept; a peer that is down or slow
 * is served from that copy and marked stale with its age, or marked missing when there is none.
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { NetledgerError, NetworkError, TimeoutError, UsageError } from '../model/errors.js';
import { readStatusTable } from '../sources/sniffer/read.js';
import type { SnifferStatusTable } from '../sources/sniffer/status.js';

export type Peer = { kind: 'http'; url: string; token?: string } | { kind: 'command'; template: string };

export interface PeerReport {
  peer: string;
  /** fresh: fetched now; stale: this fetch failed, the last good copy was used; missing: no copy at all. */
  state: 'fresh' | 'stale' | 'missing';
  /** Seconds since the copy used was fetched (absent when missing). */
  ageSeconds?: number;
  error?: string;
}

export function peerLabel(peer: Peer): string {
  if (peer.kind === 'http') return peer.url;
  return peer.template;
}

/** Splits a command template into arguments at white space; `{dest}` is replaced by the copy's path. */
export function commandArguments(template: string, dest: string): string[] {
  const words = template
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length === 0) throw new UsageError('empty peer command template');
  if (!words.some((word) => word.includes('{dest}')))
    throw new UsageError(`peer command template without {dest}: '${template}'`);
  return words.map((word) => word.split('{dest}').join(dest));
}

async function fetchHttp(
  peer: { url: string; token?: string },
  dest: string,
  timeoutMs: number,
): Promise<void> {
  const url = new URL('/api/sniffer/status', peer.url);
  let response: Response;
  let body: ArrayBuffer;
  try {
    response = await fetch(url, {
      headers: peer.token === undefined ? {} : { authorization: `Bearer ${peer.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await response.arrayBuffer();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new TimeoutError(`no answer within ${timeoutMs / 1000} s`);
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new NetworkError(cause?.code ?? (error as Error).message, error);
  }
  if (!response.ok) throw new NetworkError(`HTTP ${response.status} ${response.statusText}`);
  await writeFileAtomic(dest, new Uint8Array(body));
}

function runCommand(args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      args[0]!,
      args.slice(1),
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, _out, stderr) => {
        if (error === null) return resolve();
        if (error.killed) return reject(new TimeoutError(`command took longer than ${timeoutMs / 1000} s`));
        const detail = stderr.trim().split('\n')[0] ?? '';
        reject(
          new NetworkError(
            `${args[0]} failed (${error.code ?? error.message})${detail ? `: ${detail}` : ''}`,
          ),
        );
      },
    );
  });
}

/** The copy's file name under the cache directory: the label with anything unusual replaced. */
export function copyName(peer: Peer, index: number): string {
  return `peer-${index}-${peerLabel(peer)
    .replace(/[^A-Za-z0-9.-]+/g, '_')
    .slice(0, 80)}.stats`;
}

/** Fetches every peer in parallel; each within `timeoutMs`. Never throws for a peer's failure. */
export async function gatherPeers(
  peers: readonly Peer[],
  dir: string,
  timeoutMs: number,
): Promise<{ statuses: SnifferStatusTable[]; reports: PeerReport[] }> {
  await mkdir(dir, { recursive: true });
  const results = await Promise.all(
    peers.map(async (peer, index): Promise<{ status?: SnifferStatusTable; report: PeerReport }> => {
      const label = peerLabel(peer);
      const dest = join(dir, copyName(peer, index));
      let failure: string | undefined;
      try {
        // Fetched beside the copy; only a complete, parseable file replaces the last good one.
        const incoming = `${dest}.incoming`;
        if (peer.kind === 'http') await fetchHttp(peer, incoming, timeoutMs);
        else await runCommand(commandArguments(peer.template, incoming), timeoutMs);
        const status = await readStatusTable(incoming);
        await rename(incoming, dest);
        return { status, report: { peer: label, state: 'fresh', ageSeconds: 0 } };
      } catch (error) {
        failure = error instanceof NetledgerError ? error.describe() : (error as Error).message;
      }
      try {
        const info = await stat(dest);
        const status = await readStatusTable(dest);
        const ageSeconds = Math.max(0, Math.round((Date.now() - info.mtimeMs) / 1000));
        return { status, report: { peer: label, state: 'stale', ageSeconds, error: failure } };
      } catch {
        return { report: { peer: label, state: 'missing', error: failure } };
      }
    }),
  );
  return {
    statuses: results.flatMap((result) => (result.status === undefined ? [] : [result.status])),
    reports: results.map((result) => result.report),
  };
}
