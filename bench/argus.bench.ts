/**
 * argus readers: a 1M-flow argus file (made once from a generated pcap by the real `argus`, cached under
 * bench/out/), read by the native decoder, by the `ra` CSV path, and by ra-sum's accounting on the native
 * path; `racluster -m smac` on the same file is the peer figure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printMeasurement, timeCommand } from './lib/measure.js';
import { writePcap, type PacketSpec } from '../test/gen/packets.js';
import { SeededRandom } from '../test/gen/random.js';
import { readArgusNative, readArgusViaRa } from '../src/sources/argus/index.js';
import { MacAccountant } from '../src/sources/argus/account.js';
import { EMPTY_POLICY } from '../src/sources/argus/policy.js';
import { parseMac } from '../src/model/mac.js';

const FLOWS = 1_000_000;
const ROUTERS = 16;
const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'out');
const argusFile = join(outDir, `argus-${FLOWS}.argus`);

function routerMac(index: number): string {
  return `00:1b:21:0a:0c:${index.toString(16).padStart(2, '0')}`;
}

/** One UDP packet per flow, each with its own 5-tuple, over 16 router MACs (seeded). */
function* packets(): Generator<PacketSpec> {
  const random = new SeededRandom(1);
  const start = 1_700_000_000;
  for (let index = 0; index < FLOWS; index++) {
    const router = index % ROUTERS;
    yield {
      time: start + index / 10_000,
      srcMac: routerMac(router),
      dstMac: '02:00:5e:00:00:01',
      src: `10.${router}.${(index >>> 8) & 255}.${index & 255}`,
      dst: `198.51.100.${random.int(1, 254)}`,
      proto: 17,
      sport: 1024 + (index % 60000),
      dport: 53,
      payload: random.int(20, 200),
    };
  }
}

async function ensureArgusFile(): Promise<void> {
  if (existsSync(argusFile)) return;
  mkdirSync(outDir, { recursive: true });
  const pcap = join(outDir, `argus-${FLOWS}.pcap`);
  const started = Date.now();
  await writePcap(pcap, packets());
  const partial = `${argusFile}.partial`;
  rmSync(partial, { force: true });
  const result = spawnSync('argus', ['-r', pcap, '-w', partial, '-m', '-A'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`argus failed with status ${result.status}`);
  renameSync(partial, argusFile);
  rmSync(pcap, { force: true });
  console.log(
    `made ${argusFile} (${(statSync(argusFile).size / 2 ** 20).toFixed(0)} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

await ensureArgusFile();
console.log(`input: ${argusFile} (${(statSync(argusFile).size / 2 ** 20).toFixed(0)} MiB)`);

let flows = 0;
async function nativePass(): Promise<number> {
  let count = 0;
  let bytes = 0;
  await readArgusNative(argusFile, (flow) => {
    count++;
    bytes += flow.sbytes + flow.dbytes;
  });
  flows = count;
  return bytes >= 0 ? count : 0;
}
await measure('native reader (cold: first pass, JIT warming)', 'flows', nativePass);
const native = await measure('native reader (warm)', 'flows', nativePass);

const mac = parseMac(routerMac(3))!;
await measure('ra-sum accounting, one MAC (native, no state)', 'flows', async () => {
  const accountant = new MacAccountant({ mac, overhead: 42, policy: EMPTY_POLICY });
  const counters = await readArgusNative(argusFile, (flow) => accountant.add(flow));
  return counters.decoded;
});
const accounting = await measure('ra-sum accounting, one MAC (native, with state)', 'flows', async () => {
  const accountant = new MacAccountant({
    mac,
    overhead: 42,
    policy: EMPTY_POLICY,
    state: { macs: new Map() },
  });
  const counters = await readArgusNative(argusFile, (flow) => accountant.add(flow));
  return counters.decoded;
});

const viaRa = await measure('ra CSV reader (spawned ra)', 'flows', async () => {
  const counters = await readArgusViaRa(argusFile, () => undefined);
  return counters.decoded;
});

const peer = timeCommand('racluster', ['-m', 'smac', '-r', argusFile]);
if (peer === undefined) {
  console.log('racluster: not installed (Debian package argus-client)');
} else {
  printMeasurement(
    { label: 'peer: racluster -m smac -r F', seconds: peer.seconds, units: flows, unit: 'flows' },
    `peer peak RSS ${peer.peakMiB.toFixed(0)} MiB`,
  );
  console.log(
    `vs racluster: native reader ${(peer.seconds / native.seconds).toFixed(2)}x faster, ` +
      `ra-sum accounting with state ${(peer.seconds / accounting.seconds).toFixed(2)}x, ` +
      `ra CSV path ${(peer.seconds / viaRa.seconds).toFixed(2)}x`,
  );
}
