/**
 * `tstat cull`: delete sent tstat directories once their `.processed` mark is old enough.
 *
 * As tstat_cull 0.6.5: a candidate is a directory whose name ends in `.out` and that holds `.processed`;
 * it is removed (with everything in it) when now − mtime(.processed) ≥ ttl hours. A directory without the
 * mark is never touched. Candidates are collected first, then removed.
 */
import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fromFsError } from '../model/errors.js';
import { PROCESSED_MARK, walkDirs } from '../sources/tstat-tree.js';
import type { TstatLog } from './tstat-log.js';

export const TSTAT_CULL_DEFAULTS = { ttlHours: 48 } as const;

export interface TstatCullOptions {
  directory: string;
  ttlHours: number;
  dryRun?: boolean;
  log: TstatLog;
  now?: Date;
}

export interface TstatCullSummary {
  /** Directories removed (or, in a dry run, that would be). */
  removed: string[];
  /** Processed directories kept because they are younger than the ttl. */
  kept: number;
}

export async function cullTstatTree(options: TstatCullOptions): Promise<TstatCullSummary> {
  const candidates: string[] = [];
  for await (const { path, files } of walkDirs(options.directory)) {
    if (path.endsWith('.out') && files.includes(PROCESSED_MARK)) candidates.push(resolve(path));
  }
  const now = (options.now ?? new Date()).getTime();
  const ttlMs = options.ttlHours * 3_600_000;
  const summary: TstatCullSummary = { removed: [], kept: 0 };
  for (const directory of candidates) {
    const mark = join(directory, PROCESSED_MARK);
    let modified: number;
    try {
      modified = (await stat(mark)).mtimeMs;
    } catch {
      options.log('main.error', `state file ${mark} does not exist`);
      continue;
    }
    if (now - modified < ttlMs) {
      summary.kept++;
      continue;
    }
    summary.removed.push(directory);
    if (options.dryRun) {
      options.log('main.run', `dry run, not removing ${directory}`);
      continue;
    }
    options.log('main.run', `removing ${directory}`);
    try {
      await rm(directory, { recursive: true });
    } catch (error) {
      throw fromFsError(error, directory);
    }
  }
  return summary;
}
