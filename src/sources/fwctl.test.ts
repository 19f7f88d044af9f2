import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Position } from '../model/errors.js';
import type { Counter } from '../model/record.js';
import { FwctlReader, readFwctlRecords, type FwctlReadOptions } from './fwctl.js';

interface Dump {
  time: number;
  previous: number;
  chain: string;
  name: string;
  packets: Counter;
  bytes: Counter;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netledger-fwctl-source-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function read(paths: string[], options: FwctlReadOptions = {}) {
  const warnings: Array<{ reason: string; message: string; position: Position }> = [];
  const reader = await FwctlReader.open(paths, {
    ...options,
    onBadLine: (reason, message, position) => warnings.push({ reason, message, position }),
  });
  const dumps: Dump[] = [];
  await reader.forEach((time, previous, chain, name, packets, bytes) => {
    dumps.push({
      time,
      previous,
      chain: reader.chains.ids[chain]!,
      name: reader.chains.names[name]!,
      packets,
      bytes,
    });
  });
  return { dumps, warnings, counters: reader.counters };
}

describe('reading fwctl dump-acct lines', () => {
  it('reads the five fields, deltas with the previous dump time of each chain', async () => {
    const path = await file(
      'basic',
      '954583200 acct0000 0 0 web\n954583200 acct0001 0 0 mail\n954586800 acct0000 1200 960000 web\n',
    );
    const { dumps, counters } = await read([path]);
    expect(dumps).toEqual([
      { time: 954583200, previous: NaN, chain: 'acct0000', name: 'web', packets: 0, bytes: 0 },
      { time: 954583200, previous: NaN, chain: 'acct0001', name: 'mail', packets: 0, bytes: 0 },
      { time: 954586800, previous: 954583200, chain: 'acct0000', name: 'web', packets: 1200, bytes: 960000 },
    ]);
    expect(counters).toEqual({ read: 3, decoded: 3, skipped: {} });
  });

  it('gives a line without a name (trailing space or not) the empty name, and accepts CRLF and tabs', async () => {
    const path = await file('noname', '100 acct0000 1 2 \n200 acct0000 3 4\r\n300\tacct0000  5\t6\n');
    const { dumps } = await read([path]);
    expect(dumps.map((dump) => [dump.name, dump.packets, dump.bytes])).toEqual([
      ['', 1, 2],
      ['', 3, 4],
      ['', 5, 6],
    ]);
  });

  it('keeps counters above 2^53 exact as bigint', async () => {
    const path = await file('big', '100 acct0000 12345678901234567890 9007199254740993 big\n');
    const { dumps } = await read([path]);
    expect(dumps[0]!.packets).toBe(12345678901234567890n);
    expect(dumps[0]!.bytes).toBe(9007199254740993n);
  });

  it('parses lines split across read chunks', async () => {
    const lines = Array.from(
      { length: 200 },
      (_, i) => `${1000 + i} acct000${i % 3} ${i} ${i * 10} chain${i % 3}`,
    );
    const path = await file('chunks', lines.join('\n') + '\n');
    const { dumps } = await read([path], { chunkSize: 7 });
    expect(dumps).toHaveLength(200);
    expect(dumps[199]).toMatchObject({
      time: 1199,
      previous: 1196,
      name: 'chain1',
      packets: 199,
      bytes: 1990,
    });
  });

  it('merges several files in time order, ties in file order', async () => {
    const a = await file('a', '100 acct0000 1 1 a\n300 acct0000 3 3 a\n500 acct0000 5 5 a\n');
    const b = await file('b', '100 acct0001 2 2 b\n200 acct0001 4 4 b\n600 acct0001 6 6 b\n');
    const { dumps } = await read([a, b], { chunkSize: 9 });
    expect(dumps.map((dump) => `${dump.time}${dump.name}`)).toEqual([
      '100a',
      '100b',
      '200b',
      '300a',
      '500a',
      '600b',
    ]);
  });

  it('reads standard input for "-"', async () => {
    const stdin = Readable.from([Buffer.from('100 acct0000 1 2 x\n20'), Buffer.from('0 acct0000 3 4 x\n')]);
    const { dumps } = await read(['-'], { stdin });
    expect(dumps.map((dump) => dump.time)).toEqual([100, 200]);
  });

  it('exposes the dumps as common records', async () => {
    const path = await file('records', '100 acct0000 0 0 web\n400 acct0000 7 700 web\n');
    const records = [];
    for await (const record of readFwctlRecords([path])) records.push(record);
    expect(records).toEqual([
      { start: 100, end: 100, packets: 0, bytes: 0, name: 'web', extra: { chain: 'acct0000' } },
      { start: 100, end: 400, packets: 7, bytes: 700, name: 'web', extra: { chain: 'acct0000' } },
    ]);
  });

  it('refuses to read standard input twice', async () => {
    await expect(FwctlReader.open(['-', '-'])).rejects.toThrow('standard input (-) can be read only once');
  });

  it('fails on a missing file before reading anything', async () => {
    await expect(FwctlReader.open([join(dir, 'nope')])).rejects.toThrow('no such file');
  });
});

describe('bad lines: a warning and a count by reason, or an error with --strict', () => {
  const cases: Array<[string, string, string, string]> = [
    [
      'non-numeric counter',
      '100 acct0000 12x 5 web',
      'non-numeric counter',
      "packets: expected a whole number, got '12x'",
    ],
    [
      'non-numeric bytes',
      '100 acct0000 1 abc web',
      'non-numeric counter',
      "bytes: expected a whole number, got 'abc'",
    ],
    [
      'exponent form',
      '100 acct0000 1e3 5 web',
      'non-numeric counter',
      "packets: expected a whole number, got '1e3'",
    ],
    [
      'negative number',
      '100 acct0000 -5 5 web',
      'negative counter',
      "packets: expected a count, got the negative number '-5'",
    ],
    [
      'bad timestamp',
      'yesterday acct0000 1 5 web',
      'bad timestamp',
      "expected an epoch timestamp, got 'yesterday'",
    ],
    [
      'name with spaces',
      '100 acct0000 1 5 my web',
      'name with spaces',
      "expected '<epoch> <chain> <packets> <bytes> [<name>]', got 6 fields (a name with spaces?)",
    ],
    [
      'missing fields',
      '100 acct0000 1',
      'missing fields',
      "expected '<epoch> <chain> <packets> <bytes> [<name>]', got 3 fields",
    ],
    [
      'blank line',
      '',
      'missing fields',
      "expected '<epoch> <chain> <packets> <bytes> [<name>]', got 0 fields",
    ],
  ];
  for (const [what, line, reason, message] of cases) {
    it(`${what}`, async () => {
      const path = await file(
        what.replace(/ /g, '-'),
        `50 acct0000 0 0 web\n${line}\n200 acct0000 1 1 web\n`,
      );
      const { dumps, warnings, counters } = await read([path]);
      expect(dumps.map((dump) => dump.time)).toEqual([50, 200]);
      expect(warnings).toEqual([{ reason, message, position: { file: path, line: 2 } }]);
      expect(counters).toEqual({ read: 3, decoded: 2, skipped: { [reason]: 1 } });
      await expect(read([path], { strict: true })).rejects.toThrow(message);
      await expect(read([path], { strict: true })).rejects.toMatchObject({
        code: 'NL_ERR_PARSE',
        position: { file: path, line: 2 },
      });
    });
  }

  it('time going backwards in one file', async () => {
    const path = await file(
      'backwards',
      '300 acct0000 1 1 web\n200 acct0001 1 1 mail\n400 acct0000 1 1 web\n',
    );
    const { dumps, warnings } = await read([path]);
    expect(dumps.map((dump) => dump.time)).toEqual([300, 400]);
    expect(warnings).toEqual([
      {
        reason: 'time going backwards',
        message: 'time goes backwards: 200 after 300',
        position: { file: path, line: 2 },
      },
    ]);
  });

  it('a truncated last line (no newline)', async () => {
    const path = await file('truncated', '100 acct0000 1 1 web\n200 acct0000 1 96');
    const { dumps, warnings } = await read([path]);
    expect(dumps.map((dump) => dump.time)).toEqual([100]);
    expect(warnings).toEqual([
      {
        reason: 'truncated last line',
        message: 'the last line has no newline (truncated write?)',
        position: { file: path, line: 2 },
      },
    ]);
  });

  it('a line too long to be fwctl (a binary file?) is skipped without buffering it', async () => {
    const path = await file('long', `100 acct0000 1 1 web\n${'x'.repeat(200_000)}\n200 acct0000 2 2 web\n`);
    const { dumps, warnings, counters } = await read([path], { chunkSize: 4096 });
    expect(dumps.map((dump) => dump.time)).toEqual([100, 200]);
    expect(warnings).toEqual([
      {
        reason: 'line too long',
        message: 'a line of more than 65536 bytes (not an fwctl accounting file?)',
        position: { file: path, line: 2 },
      },
    ]);
    expect(counters.read).toBe(3);
  });

  it('the same dump read twice (overlapping files)', async () => {
    const a = await file('dup-a', '100 acct0000 1 1 web\n200 acct0000 2 2 web\n');
    const b = await file('dup-b', '200 acct0000 2 2 web\n300 acct0000 3 3 web\n');
    const { dumps, warnings } = await read([a, b]);
    expect(dumps.map((dump) => dump.time)).toEqual([100, 200, 300]);
    expect(warnings).toEqual([
      {
        reason: 'duplicate dump',
        message: 'chain acct0000 (web) was already dumped at 200 (the same data read twice?)',
        position: { file: b, line: 1 },
      },
    ]);
  });
});
