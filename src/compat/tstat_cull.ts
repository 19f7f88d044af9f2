/**
 * `tstat_cull`: drop-in for tstat_transport 0.6.5's culling command (-d, -t HOURS, -D dry run, -v).
 */
import type { TstatCullCliOptions } from '../cli/tstat/run.js';
import { defineCullOptions, runTstatCull } from '../cli/tstat/run.js';
import { runCompat } from './tstat-compat.js';

export function main(argv: readonly string[]): Promise<number> {
  return runCompat(
    'tstat_cull',
    '[ -d DIR | -t HOURS | -D | -v ]',
    defineCullOptions,
    (options) => runTstatCull(options as unknown as TstatCullCliOptions),
    argv,
  );
}
