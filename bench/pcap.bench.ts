/**
 * Per-host accounting of a seeded 1M-packet capture (Ethernet with and without VLAN tags, IPv4 and IPv6,
 * heavy-tailed flows), checked against the generator's ground truth, next to the installed peers.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountCapture } from '../src/sources/pcap/account.js';
import { HostGroundTruth, trafficSpecs } from '../test/gen/traffic.js';
import { writePcap } from '../test/gen/packets.js';
import { measure, peakRssMiB, timeCommand } from './lib/measure.js';

const PACKETS = 1_000_000;
const SEED = 20261125;
const out = join(dirname(fileURLToPath(import.meta.url)), 'out');
const capture = join(out, `pcap-${SEED}-${PACKETS}.pcap`);
const truthFile = `${capture}.truth.json`;

interface Truth {
  packets: number;
  bytes: number;
  ipBytes: number;
  hosts: Record<string, { packets: number; bytes: number }>;
}

async function prepare(): Promise<Truth> {
  if (existsSync(capture) && existsSync(truthFile))
    return JSON.parse(readFileSync(truthFile, 'utf8')) as Truth;
  mkdirSync(out, { recursive: true });
  const wire = new HostGroundTruth('wire');
  const ip = new HostGroundTruth('ip');
  const specs = trafficSpecs(SEED, PACKETS, { hosts: 20000, flows: 50000 });
  await writePcap(
    capture,
    (function* () {
      for (const spec of specs) {
        wire.add(spec);
        ip.add(spec);
        yield spec;
      }
    })(),
  );
  const truth: Truth = {
    packets: wire.packets,
    bytes: wire.bytes,
    ipBytes: ip.bytes,
    hosts: Object.fromEntries(wire.hosts),
  };
  writeFileSync(truthFile, JSON.stringify(truth));
  return truth;
}

const truth = await prepare();
const size = statSync(capture).size;
console.log(
  `capture: ${PACKETS.toLocaleString('en')} packets, ${(size / 2 ** 20).toFixed(0)} MiB, ${Object.keys(truth.hosts).length} hosts`,
);

const baseRss = peakRssMiB();
let verdict = '';
await measure('netledger capture --by host (wire bytes)', 'packets', async () => {
  const { accounting } = await accountCapture(capture, { groupBy: { kind: 'host' } });
  const totals = accounting.totals;
  let mismatches = 0;
  const rows = accounting.rows();
  for (const row of rows) {
    const expected = truth.hosts[row.key];
    if (
      expected === undefined ||
      BigInt(expected.packets) !== row.packets ||
      BigInt(expected.bytes) !== row.bytes
    )
      mismatches++;
  }
  const exact =
    totals.packets === BigInt(truth.packets) &&
    totals.bytes === BigInt(truth.bytes) &&
    rows.length === Object.keys(truth.hosts).length &&
    mismatches === 0;
  verdict = exact ? 'ground truth: exact' : `ground truth: ${mismatches} host rows differ`;
  return Number(totals.packets);
});
console.log(`  ${verdict}; peak RSS before the pass ${baseRss.toFixed(0)} MiB`);

function peer(label: string, command: string, args: string[], check?: (stdout: string) => string): void {
  const result = timeCommand(command, args);
  if (result === undefined) {
    console.log(`${label.padEnd(48)} not installed`);
    return;
  }
  if (result.status !== 0) {
    console.log(`${label.padEnd(48)} failed: ${result.stderr.split('\n')[0]}`);
    return;
  }
  const rate = Math.round(PACKETS / result.seconds).toLocaleString('en');
  console.log(
    `${label.padEnd(48)} ${result.seconds.toFixed(3).padStart(8)} s  ${rate.padStart(12)} packets/s  peak RSS ${result.peakMiB.toFixed(0)} MiB  CPU ${result.cpuSeconds.toFixed(2)} s${check ? '  ' + check(result.stdout) : ''}`,
  );
}

peer('tcpdump -r F -w /dev/null (read floor)', 'tcpdump', ['-r', capture, '-w', '/dev/null']);
peer('tshark -q -z endpoints,ip', 'tshark', ['-q', '-n', '-r', capture, '-z', 'endpoints,ip']);
const argusOut = join(out, `pcap-${SEED}.argus`);
peer('argus -r F -w (flows)', 'argus', ['-r', capture, '-w', argusOut]);
if (existsSync(argusOut))
  peer('racluster -m saddr (per source host)', 'racluster', [
    '-r',
    argusOut,
    '-m',
    'saddr',
    '-n',
    '-s',
    'saddr',
    'pkts',
    'bytes',
  ]);
// pmacctd waits before it purges its cache at the end of a savefile: compare its CPU time, not wall time.
peer('pmacctd aggregate src_host (compare CPU)', 'pmacctd', [
  '-I',
  capture,
  '-c',
  'src_host',
  '-P',
  'print',
  '-O',
  'csv',
]);
