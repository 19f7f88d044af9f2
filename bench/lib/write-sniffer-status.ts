/**
 * `node --import tsx bench/lib/write-sniffer-status.ts IPS PATH SEED`: writes a seeded daemon status file
 * for the benches (through `ensureStatusFile`). It runs in a process of its own so that the entry objects
 * the generator makes (a million of them for the big file) do not count in the peak memory of the process
 * that is measured.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { formatDaemonStatus } from '../../src/sources/sniffer/write.js';
import { generateStatus } from '../../test/gen/sniffer-status.js';

const [ips, path, seed] = process.argv.slice(2);
if (ips === undefined || path === undefined || seed === undefined) {
  console.error('usage: write-sniffer-status.ts IPS PATH SEED');
  process.exit(64);
}
const { header, entries } = generateStatus(Number(seed), { ips: Number(ips), perCidr: 4 });
// A run cut short must not leave a partial file that later runs would take for the whole one.
writeFileSync(`${path}.tmp`, formatDaemonStatus(header, entries, true), 'latin1');
renameSync(`${path}.tmp`, path);
