/**
 * The differential cases: a seeded tree and the tstat_send arguments. `golden/<name>.json.gz` holds what
 * the original tstat_send 0.6.5 printed for that tree with `--no-transport` (see golden/README.md).
 */
import type { TreeOptions } from './generate.js';

export interface GoldenCase {
  name: string;
  tree: Omit<TreeOptions, 'root'>;
  /** tstat_send arguments besides -d, -c and -N. */
  args: string[];
}

export const GOLDEN_CASES: GoldenCase[] = [
  {
    // Every direction kept (threshold 0): slices of 100 across tcp and udp, edge rows, missing logs.
    name: 'edge-threshold0',
    tree: {
      seed: 7,
      directories: 4,
      tcpRows: 40,
      udpRows: 40,
      edgeCases: true,
      withoutUdp: [1],
      withoutTcp: [2],
    },
    args: ['-T', '0', '-S', 'sensor1.example.net', '-I', '2'],
  },
  {
    // The default threshold (1000 MB): only the big flows; a processed directory is skipped.
    name: 'default-threshold',
    tree: { seed: 11, directories: 3, tcpRows: 400, udpRows: 400, bigFlowShare: 0.03, processed: [1] },
    args: ['-S', 'sensor2.example.net'],
  },
  {
    // --threshold 1 (8e6 bits): the mid-sized flows too.
    name: 'threshold1',
    tree: { seed: 5, directories: 2, tcpRows: 150, udpRows: 150, edgeCases: true },
    args: ['-T', '1', '-S', 'sensor3.example.net', '-I', 'east'],
  },
];

/** A config the original accepts with --no-transport (it validates the [rabbit] stanza even then). */
export const NO_TRANSPORT_CONFIG = `[rabbit]
host = localhost
port = 5672
username = guest
password = guest
use_ssl = False
vhost = /
queue = tstat_golden
routing_key = tstat_golden
exchange =
`;
