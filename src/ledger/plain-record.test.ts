/**
 * The NDJSON fast path decides speed, never outcomes: every line gives the record, or the error at the
 * same position, that `JSON.parse` + `recordFromJson` give (the reader before the fast path existed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRecords, seededRandom, toNdjson } from '../../test/ledger/generate.js';
import { ParseError } from '../model/errors.js';
import type { TrafficRecord } from '../model/record.js';
import { readNdjsonRecords } from './adapters.js';
import { PlainRecordReader } from './plain-record.js';
import { recordFromJson } from './record-json.js';

const dir = mkdtempSync(join(tmpdir(), 'nl-plain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Outcome = { records: TrafficRecord[] } | { error: { message: string; position: unknown } };

/** The reference: the file decoded as UTF-8, split on '\n', each non-blank line JSON.parse'd. */
function reference(bytes: Buffer, path: string, fromOffset: number): Outcome {
  const records: TrafficRecord[] = [];
  let offset = fromOffset;
  const lines = bytes.subarray(fromOffset).toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    const at = offset;
    offset += Buffer.byteLength(line) + 1;
    if (line.trim() === '') continue;
    const position = fromOffset === 0 ? { file: path, line: index + 1 } : { file: path, offset: at };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { error: { message: 'expected one JSON record per line', position } };
    }
    const record = recordFromJson(value);
    if (typeof record === 'string') return { error: { message: record, position } };
    records.push(record);
  }
  return { records };
}

async function actual(path: string, fromOffset: number): Promise<Outcome> {
  const records: TrafficRecord[] = [];
  try {
    for await (const batch of readNdjsonRecords(path, { fromOffset })) records.push(...batch);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return { error: { message: error.message, position: error.position } };
  }
  return { records };
}

let files = 0;
async function expectSameAsReference(content: string | Buffer, fromOffset = 0): Promise<Outcome> {
  const path = join(dir, `case-${files++}.ndjson`);
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  writeFileSync(path, bytes);
  const expected = reference(bytes, path, fromOffset);
  const got = await actual(path, fromOffset);
  expect(got).toStrictEqual(expected);
  return got;
}

const GOOD = '{"start":1,"end":2,"src":"10.0.0.1","packets":3,"bytes":4}';

/** Lines of every kind: plain ones the fast path takes, and ones it must leave to JSON.parse. */
const LINES = [
  GOOD,
  '{"start":1795132800.086,"end":1795133040.534,"src":"10.0.100.196","dst":"192.168.10.9","sport":55869,"dport":443,"proto":"udp","packets":356,"bytes":954885}',
  ' { "bytes" : 4 , "packets" : 3 ,\t"end" : 2.5 , "start" : 1.25 } \r',
  '{"schema":1,"start":0,"end":0,"packets":0,"bytes":0}',
  '{"schema":"v1","start":0,"end":0,"packets":0,"bytes":0}',
  '{"schema":{"v":1},"start":0,"end":0,"packets":0,"bytes":0}',
  '{"schema":true,"start":0,"end":0,"packets":0,"bytes":0}',
  '{"start":1,"end":2,"packets":"18446744073709551615","bytes":"0"}',
  '{"start":1,"end":2,"packets":"18446744073709551616","bytes":1}',
  '{"start":1,"end":2,"packets":"123456789012345678901","bytes":1}',
  '{"start":1,"end":2,"packets":"12a","bytes":1}',
  '{"start":1,"end":2,"packets":"","bytes":1}',
  '{"start":1,"end":2,"packets":9007199254740991,"bytes":9007199254740992}',
  '{"start":1,"end":2,"packets":1.0,"bytes":2e3}',
  '{"start":1,"end":2,"packets":1.5,"bytes":2}',
  '{"start":1,"end":2,"packets":-1,"bytes":2}',
  '{"start":1,"end":2,"packets":-0,"bytes":2}',
  '{"start":-0,"end":0,"packets":1,"bytes":2}',
  '{"start":1e400,"end":1e400,"packets":1,"bytes":2}',
  '{"start":1.7976931348623157e308,"end":1.7976931348623157e308,"packets":1,"bytes":2}',
  '{"start":0.1,"end":0.30000000000000004,"packets":1,"bytes":2}',
  '{"start":123456789.123456789,"end":1234567890123456789,"packets":1,"bytes":2}',
  '{"start":1795132800.1234567,"end":1795132800.9999999999,"packets":1,"bytes":2}',
  '{"start":1E2,"end":1e+2,"packets":1,"bytes":2}',
  '{"start":1e-2,"end":1.5E-1,"packets":1,"bytes":2}',
  '{"start":01,"end":2,"packets":1,"bytes":2}',
  '{"start":1.,"end":2,"packets":1,"bytes":2}',
  '{"start":.5,"end":2,"packets":1,"bytes":2}',
  '{"start":+1,"end":2,"packets":1,"bytes":2}',
  '{"start":1e,"end":2,"packets":1,"bytes":2}',
  '{"start":-,"end":2,"packets":1,"bytes":2}',
  '{"start":"1","end":2,"packets":1,"bytes":2}',
  '{"start":2,"end":1,"packets":1,"bytes":2}',
  '{"start":1,"end":2,"packets":1}',
  '{"end":2,"packets":1,"bytes":2}',
  '{}',
  '[]',
  '[1]',
  '"text"',
  '42',
  'null',
  '{"start":1,"end":2,"packets":1,"bytes":2}}',
  '{"start":1,"end":2,"packets":1,"bytes":2} x',
  '{"start":1,"end":2,"packets":1,"bytes":2,}',
  '{"start":1,,"end":2,"packets":1,"bytes":2}',
  '{"start":1 "end":2,"packets":1,"bytes":2}',
  '{"start" 1,"end":2,"packets":1,"bytes":2}',
  '{start:1,"end":2,"packets":1,"bytes":2}',
  "{'start':1,'end':2,'packets':1,'bytes':2}",
  '{"start":1,"end":2,"packets":1,"bytes":2',
  '{"start":1,"start":5,"end":2,"packets":1,"bytes":2}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"colour":"red"}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"Src":"a"}',
  '{"st\\u0061rt":1,"end":2,"packets":1,"bytes":2}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":"a\\"b"}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":"a\\u00fcb"}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":"a\\/b","dst":"\\n"}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":"äöü","name":"日本"}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":"a\tb"}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":""}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":null,"dst":null,"sport":null,"extra":null}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":5}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":true}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":nul}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"src":nullx}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"sport":0,"dport":65535,"vlan":4095}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"sport":65536}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"sport":80.0,"dport":1e2}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"sport":80.5}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"sport":-1}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"sport":-0}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"sport":"80"}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"srcMac":"00:11:22:33:44:55","dstMac":"ff:ff:ff:ff:ff:ff","name":"INPUT","sensor":"s1","proto":"tcp"}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"srcName":"a.example","dstName":"b.example","rate":12.5}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"b":1,"2":"x","a":-0.5,"1":3}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"a":1,"a":2}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"__proto__":1}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"a":{"b":1}}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"a":[1]}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"a":null}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"a":true}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"a":1e400}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"a":"x",}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"a" "x"}}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":[]}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":"x"}',
  '{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"srcName":"ü.example"}}',
  '\uFEFF' + GOOD,
  '\u00A0' + GOOD,
];

describe('NDJSON lines, fast path or not, read as JSON.parse + recordFromJson read them', () => {
  it.each(LINES.map((line) => [line]))('%s', async (line) => {
    await expectSameAsReference(`${GOOD}\n\n${line}\n${GOOD}\n`);
    await expectSameAsReference(`${GOOD}\n${line}`); // last line without a newline
  });

  it('reads blank lines of any whitespace, CRLF endings and a missing last newline', async () => {
    const outcome = await expectSameAsReference(`\n \t\r\n${GOOD}\r\n\u00A0\n\u2028\n${GOOD}\n\n   `);
    expect(outcome).toMatchObject({ records: [{ start: 1 }, { start: 1 }] });
  });

  it('words errors with byte offsets when continuing a grown file, after non-ASCII and bad UTF-8', async () => {
    const bad = Buffer.from([0x22, 0xff, 0xfe, 0x22]); // a string of invalid UTF-8
    const content = Buffer.concat([
      Buffer.from(`${GOOD}\n{"start":1,"end":2,"packets":1,"bytes":2,"name":"ü"}\n`),
      Buffer.from('{"start":1,"end":2,"packets":1,"bytes":2,"name":'),
      bad,
      Buffer.from(`}\n${GOOD}\n{"start":1}\n`),
    ]);
    for (const fromOffset of [0, GOOD.length + 1]) await expectSameAsReference(content, fromOffset);
  });

  it('stops at toOffset (a file still growing): a line cut there is read as it is', async () => {
    const content = Buffer.from(`${GOOD}\n${GOOD}\n${GOOD}\n`);
    const path = join(dir, `case-${files++}.ndjson`);
    writeFileSync(path, content);
    for (const toOffset of [GOOD.length + 1, 2 * GOOD.length + 2, GOOD.length + 20]) {
      for (const fromOffset of [0, GOOD.length + 1]) {
        if (fromOffset >= toOffset) continue;
        const records: TrafficRecord[] = [];
        let outcome: Outcome;
        try {
          for await (const batch of readNdjsonRecords(path, { fromOffset, toOffset })) records.push(...batch);
          outcome = { records };
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          outcome = { error: { message: error.message, position: error.position } };
        }
        expect(outcome).toStrictEqual(reference(content.subarray(0, toOffset), path, fromOffset));
      }
    }
  });

  it('reads generated files (all fields, bigint counters as strings) like the reference', async () => {
    const records = generateRecords(5000, 11);
    records[17]!.bytes = 2n ** 63n;
    records[18]!.packets = 2n ** 64n - 1n;
    await expectSameAsReference(toNdjson(records));
  });

  it('reads lines longer than its read buffer', async () => {
    const long = `{"start":1,"end":2,"packets":1,"bytes":2,"extra":{"note":"${'x'.repeat(3 << 20)}"}}`;
    await expectSameAsReference(`${GOOD}\n${long}\n${GOOD}\n`);
  });
});

describe('PlainRecordReader', () => {
  it('takes the sinks’ shape and leaves the rest to the slow path', () => {
    const reader = new PlainRecordReader();
    const read = (line: string) => reader.read(Buffer.from(line), 0, Buffer.byteLength(line));
    expect(read(GOOD)).toStrictEqual({ start: 1, end: 2, packets: 3, bytes: 4, src: '10.0.0.1' });
    for (const line of [
      '{"start":1,"end":2,"packets":1,"bytes":2,"src":"a\\"b"}',
      '{"start":1,"end":2,"packets":1,"bytes":2,"src":"ü"}',
      '{"start":2,"end":1,"packets":1,"bytes":2}',
      '{"start":1,"end":2,"packets":1,"bytes":2,"colour":"red"}',
    ]) {
      expect(read(line)).toBeUndefined();
    }
  });

  it('gives equal texts as one string', () => {
    const reader = new PlainRecordReader();
    const line = Buffer.from(GOOD);
    const first = reader.read(line, 0, line.length);
    const second = reader.read(Buffer.from(GOOD), 0, line.length);
    expect(second!.src).toBe(first!.src);
  });

  it('returns a record only where JSON.parse + recordFromJson give the same one (mutated lines)', () => {
    const random = seededRandom(5);
    const reader = new PlainRecordReader();
    const lines = toNdjson(generateRecords(300, 3)).split('\n').slice(0, -1);
    lines.push(
      '{"schema":1,"start":1.5,"end":2,"src":"a","sport":80,"packets":"12","bytes":3,"extra":{"x":"y","n":-1.25e3}}',
    );
    const alphabet = '{}[]:,"\\ 0123456789.-+eE\tnulltrue\u00fc';
    let taken = 0;
    for (let round = 0; round < 20_000; round++) {
      let line = lines[Math.floor(random() * lines.length)]!;
      for (let edits = 1 + Math.floor(random() * 2); edits > 0; edits--) {
        const at = Math.floor(random() * line.length);
        const char = alphabet[Math.floor(random() * alphabet.length)]!;
        const kind = random();
        line =
          kind < 0.4
            ? line.slice(0, at) + char + line.slice(at + 1)
            : kind < 0.7
              ? line.slice(0, at) + char + line.slice(at)
              : line.slice(0, at) + line.slice(at + 1);
      }
      const bytes = Buffer.from(line);
      const fast = reader.read(bytes, 0, bytes.length);
      if (fast === undefined) continue;
      taken++;
      expect(fast).toStrictEqual(recordFromJson(JSON.parse(line)));
    }
    expect(taken).toBeGreaterThan(1000);
  });
});
