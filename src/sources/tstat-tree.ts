/**
 * The tstat output tree: tstat writes one `YYYY_MM_DD_HH_MM.out` directory per period, holding
 * `log_tcp_complete` and `log_udp_complete`; tstat_send drops a `.processed` file into a directory once it
 * has been sent. The walk is depth-first, parents before children, names in byte order: the original's
 * `os.walk` order (sorted), which for tstat's names is time order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fromFsError } from '../model/errors.js';
import type { TstatProtocol } from './tstat.js';
import { TSTAT_PROTOCOLS, tstatLogName } from './tstat.js';

/** The state file tstat_send writes into a directory it has sent (content `processed`, no newline). */
export const PROCESSED_MARK = '.processed';

export interface WalkedDir {
  path: string;
  /** Names of the entries that are not directories (files, symlinks to files). */
  files: string[];
}

/** Every directory under `root` (root first), as `os.walk` visits them with sorted entries. */
export async function* walkDirs(root: string): AsyncGenerator<WalkedDir> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    // os.walk ignores directories it cannot list; only the root itself must be readable.
    if (error instanceof Error && (error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw fromFsError(error, root);
    }
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  const dirs: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) dirs.push(entry.name);
    else if (entry.isSymbolicLink()) {
      // os.walk lists a symlink to a directory among the directories, but does not descend into it.
      const target = await stat(join(root, entry.name)).catch(() => undefined);
      if (!target?.isDirectory()) files.push(entry.name);
    } else files.push(entry.name);
  }
  yield { path: root, files };
  for (const dir of dirs) yield* walkDirs(join(root, dir));
}

export interface TstatDir {
  path: string;
  /** The logs present, in sending order (tcp, then udp). */
  logs: TstatProtocol[];
  processed: boolean;
}

/** The tstat output directories: names ending in `.out` that hold at least one of the two logs. */
export async function* findTstatDirs(root: string): AsyncGenerator<TstatDir> {
  for await (const { path, files } of walkDirs(root)) {
    if (!path.endsWith('.out')) continue;
    const logs = TSTAT_PROTOCOLS.filter((protocol) => files.includes(tstatLogName(protocol)));
    if (logs.length === 0) continue;
    yield { path, logs, processed: files.includes(PROCESSED_MARK) };
  }
}
