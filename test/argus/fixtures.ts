/**
 * Shared fixtures of the argus tests: scenarios turned into real argus files (by the Debian `argus` binary)
 * in a fresh temp directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  captureToArgus,
  generateScenario,
  type Scenario,
  type ScenarioOptions,
} from '../gen/argus-scenario.js';

export interface ArgusFixture {
  dir: string;
  scenario: Scenario;
  /** argus file of the whole capture. */
  argusFile: string;
  cleanup(): void;
}

/** argus' status interval used by the fixtures: long flows then have several (delta) records. */
export const STATUS_SECONDS = '5';

export function makeArgusFixture(options: ScenarioOptions): ArgusFixture {
  const dir = mkdtempSync(join(tmpdir(), 'netledger-argus-'));
  const scenario = generateScenario(options);
  const argusFile = join(dir, 'all.argus');
  captureToArgus(scenario.packets, join(dir, 'all.pcap'), argusFile, ['-S', STATUS_SECONDS]);
  return { dir, scenario, argusFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The two-packet UDP capture of formats.md 4.3, as an argus file. */
export function twoPacketUdp(dir: string): string {
  const file = join(dir, 'udp2.argus');
  const t = 1455745800;
  const packets = [
    {
      time: t,
      srcMac: '00:11:22:33:44:55',
      dstMac: '66:77:88:99:aa:bb',
      src: '10.0.0.5',
      dst: '192.0.2.9',
      proto: 17,
      sport: 40000,
      dport: 53,
      payload: 30,
    },
    {
      time: t + 0.25,
      srcMac: '66:77:88:99:aa:bb',
      dstMac: '00:11:22:33:44:55',
      src: '192.0.2.9',
      dst: '10.0.0.5',
      proto: 17,
      sport: 53,
      dport: 40000,
      payload: 100,
    },
  ];
  captureToArgus(packets, join(dir, 'udp2.pcap'), file);
  return file;
}
