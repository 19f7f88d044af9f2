/**
 * `netledger argus sum` end to end through the real bin: CSV per address equals the ground truth, stdin input.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareIp, parseIp } from '../../src/model/ip.js';
import { truthBy } from '../gen/argus-scenario.js';
import { makeArgusFixture, type ArgusFixture } from './fixtures.js';

let fixture: ArgusFixture;
beforeAll(() => {
  fixture = makeArgusFixture({ seed: 8, flows: 60 });
});
afterAll(() => fixture.cleanup());

describe('netledger argus sum', () => {
  it('prints the addresses behind a MAC as CSV, reading stdin', () => {
    const router = fixture.scenario.routers[3]!;
    const result = spawnSync(
      process.execPath,
      [
        'bin/netledger.js',
        'argus',
        'sum',
        '-e',
        router.toUpperCase().replace(/:/g, '-'),
        '-i',
        '--format',
        'csv',
        '--no-state',
      ],
      { encoding: 'utf8', input: readFileSync(fixture.argusFile) },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const truth = truthBy(
      fixture.scenario.packets.filter((packet) => packet.routerMac === router),
      (packet) => packet.localIp,
    );
    const expected = [...truth]
      .sort(([a], [b]) => compareIp(parseIp(a)!, parseIp(b)!))
      .map(([address, t]) => `${address},${t.inPackets},${t.inBytes},${t.outPackets},${t.outBytes}\r\n`);
    expect(result.stdout).toBe(`Address,InPkts,InBytes,OutPkts,OutBytes\r\n${expected.join('')}`);
  });
});
