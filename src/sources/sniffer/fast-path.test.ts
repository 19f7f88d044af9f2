/**
 * The reader's fast path (plain-entry.ts) only ever recognises input that is plainly good and leaves the
 * rest to the general parser. So on any input, valid or not, parsing with it must give exactly what the
 * general parser alone gives: the same columns, or the same error at the same line and column. Checked on
 * seeded mutations of generated status files in both layouts (the daemon's and Data::Dumper's), with
 * tokens chosen to stress the fast path's give-up rules (escapes, undef, floats, comments, odd keys).
 */
import { describe, expect, it } from 'vitest';
import { NetledgerError } from '../../model/errors.js';
import { mergeStatuses } from '../../aggregate/sniffer-merge.js';
import { SeededRandom } from '../../../test/gen/random.js';
import { generateStatus } from '../../../test/gen/sniffer-status.js';
import { parseStatusTable, type ParseStatusOptions } from './read.js';
import { formatComposite, formatDaemonStatus } from './write.js';

const TOKENS = [
  'undef',
  "'a\\'b'",
  '"x\\ty"',
  '"$x"',
  '1e3',
  "'0.5'",
  '0.25',
  '-1',
  '0x10',
  '99999999999999999999',
  "'12345678901234567'",
  '# comment\n',
  ',',
  '=>',
  ' ',
  '\t',
  '\n',
  "'N'",
  'B',
  'Q',
  '[]',
  "['h.example',]",
  "'::1'",
  "'10.0.0.1'",
  "'10.0.0.1'\t=> {B=>1,C=>1,E=>1,N=>[],R=>1,S=>1,T=>1,W=>1,},",
  '{',
  '}',
  '[',
  ']',
  "'",
];
/** Put just inside a quoted string: what single quotes make of a backslash is where a fast path errs. */
const ESCAPES = ['\\\\', "\\'", '\\n', '\\', '\\x41'];
const BYTES = Buffer.from('\'"\\{}[],=> \t\n#0123456789BCENRSTWx.:-e$', 'latin1');

function mutate(base: Buffer, random: SeededRandom): Buffer {
  let bytes = base;
  const edits = random.int(1, 3);
  for (let edit = 0; edit < edits; edit++) {
    const at = random.int(0, bytes.length - 1);
    switch (random.int(0, 5)) {
      case 0:
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.of(random.pick([...BYTES])),
          bytes.subarray(at + 1),
        ]);
        break;
      case 1:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + random.int(1, 8))]);
        break;
      case 2:
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from(random.pick(TOKENS), 'latin1'),
          bytes.subarray(at),
        ]);
        break;
      case 3: {
        const slice = bytes.subarray(at, at + random.int(1, 40));
        bytes = Buffer.concat([bytes.subarray(0, at), slice, bytes.subarray(at)]);
        break;
      }
      case 4: {
        // Inside the quoted string that starts at the first quote from `at` on (an address or a name).
        const quote = bytes.indexOf(0x27, at);
        if (quote < 0) break;
        const escape = Buffer.from(random.pick(ESCAPES), 'latin1');
        bytes = Buffer.concat([bytes.subarray(0, quote + 1), escape, bytes.subarray(quote + 1)]);
        break;
      }
      default:
        bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

type Outcome = { header: string; entries: unknown[] } | { error: string; code: string };

function outcome(bytes: Buffer, options: ParseStatusOptions): Outcome {
  try {
    const { header, table } = parseStatusTable(bytes, 'fuzz.stats', options);
    return { header, entries: table.entries() };
  } catch (error) {
    // Anything but a typed error (a TypeError, a RangeError) is a crash, and fails the test here.
    if (!(error instanceof NetledgerError)) throw error;
    return { error: error.message, code: error.code };
  }
}

describe('the fast path agrees with the general parser', () => {
  const daemon = (seed: number) => {
    const { header, entries } = generateStatus(seed, { ips: 12, perCidr: 3, ipv6Share: 0.15 });
    return Buffer.from(formatDaemonStatus(header, entries, true), 'latin1');
  };
  const dumper = (seed: number) => {
    const statuses = [seed, seed + 1].map((part) => {
      const { header, entries } = generateStatus(part, { ips: 8, perCidr: 2, ipv6Share: 0.15 });
      return { header: formatDaemonStatus(header, entries, true).split('{')[0]!, entries };
    });
    return Buffer.from(formatComposite(mergeStatuses(statuses)), 'latin1');
  };

  it.each([
    ['daemon layout', daemon],
    ['Data::Dumper layout', dumper],
  ])('%s: 1,500 mutated files, the same columns or the same error', (_, make) => {
    const random = new SeededRandom(20261126);
    let parsed = 0;
    let refused = 0;
    for (let run = 0; run < 1500; run++) {
      const bytes = mutate(make(run % 20), random);
      const reference = outcome(bytes, { fastPath: false });
      expect(outcome(bytes, {}), `run ${run}: ${bytes.toString('latin1')}`).toEqual(reference);
      if ('error' in reference) refused++;
      else parsed++;
    }
    // The mutations must reach both sides: files that still parse (the fast path reads most of their
    // entries) and files that are refused.
    expect(parsed).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(150);
  });
});
