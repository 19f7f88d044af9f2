import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetledgerError } from '../../model/errors.js';
import { parseStatus, parseStatusTable, readStatusFile } from './read.js';

const parse = (text: string) => parseStatus(Buffer.from(text, 'latin1'), 'x.stats');

const DAEMON = `
# Net::Connection::Sniffer version 0.36
# users:\t1

{
  my $dump = {
\t'198.51.100.7'\t=> {
\t\tB\t=> 240,
\t\tC\t=> 4,
\t\tE\t=> 1145926700,
\t\tN\t=> ['a.example.com',],
\t\tR\t=> 120,
\t\tS\t=> 1145923212,
\t\tT\t=> 1146009100,
\t\tW\t=> 36000,
\t},
  };
}
`;

const DUMPER = `# grand total all hosts
# hits: \t3 per minute
my $VAR1 = {
          '2001:db8::1' => {
                         'B' => '12345678901',
                         'C' => 4,
                         'E' => 1145926700,
                         'N' => [],
                         'R' => '0.3',
                         'S' => 1,
                         'T' => 0,
                         'W' => undef
                       }
        };
`;

function errorOf(run: () => unknown): NetledgerError {
  try {
    run();
  } catch (error) {
    if (error instanceof NetledgerError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('parseStatus', () => {
  it("reads the daemon's block layout and keeps the header verbatim", () => {
    const status = parse(DAEMON);
    expect(status.header).toBe('\n# Net::Connection::Sniffer version 0.36\n# users:\t1\n\n');
    expect(status.entries).toEqual([
      {
        ip: '198.51.100.7',
        bytes: 240,
        count: 4,
        lastUpdate: 1145926700,
        names: ['a.example.com'],
        ratePerHour: 120,
        start: 1145923212,
        ptrExpiry: 1146009100,
        bytesPerHour: 36000,
      },
    ]);
  });
  it("reads Data::Dumper's layout with quoted numbers, undef and IPv6 keys", () => {
    const [entry] = parse(DUMPER).entries;
    expect(entry).toMatchObject({
      ip: '2001:db8::1',
      bytes: 12345678901,
      ratePerHour: 0.3,
      bytesPerHour: 0,
      names: [],
    });
    expect(parse(DUMPER.replace('my $VAR1', '$VAR1')).entries).toHaveLength(1);
  });
  it('reads every spelling of an entry to the same values (fast path and general path agree)', () => {
    const expected = parse(DAEMON).entries[0];
    const spellings = [
      // one line, bare keys, no blanks
      "my $VAR1={'198.51.100.7'=>{B=>240,C=>4,E=>1145926700,N=>['a.example.com'],R=>120,S=>1145923212,T=>1146009100,W=>36000}};",
      // Data::Dumper: quoted keys and numbers, names on their own lines
      "$VAR1 = {\n  '198.51.100.7' => {\n    'B' => '240', 'C' => 4, 'E' => '1145926700',\n    'N' => [\n      'a.example.com'\n    ],\n    'R' => 120, 'S' => '1145923212', 'T' => '1146009100', 'W' => 36000\n  }\n};",
      // a comment inside the entry, a double-quoted key, the fat comma spelled as a comma
      '{ my $dump = { "198.51.100.7", { B => 240, # bytes\n C => 4, E => 1145926700, N => [\'a.example.com\'], R => 120, S => 1145923212, T => 1146009100, W => 36000 }, }; }',
      // an escape in a name after the fast path took a first name, and a float at the end
      "my $VAR1={'198.51.100.7'=>{B=>240,C=>4,E=>1145926700,N=>['a.example.com','it\\'s'],R=>120,S=>1145923212,T=>1146009100,W=>36000.0}};",
    ];
    for (const text of spellings.slice(0, 3)) expect(parse(text).entries).toEqual([expected]);
    expect(parse(spellings[3]!).entries).toEqual([{ ...expected, names: ['a.example.com', "it's"] }]);
  });
  it('keeps rows of the fast and the general path in file order, with their names apart', () => {
    const text =
      "my $VAR1={'10.0.0.2'=>{B=>1,C=>1,E=>1,N=>['x\\'y','z'],R=>1,S=>1,T=>1,W=>1.5}," +
      "'10.0.0.1'=>{B=>2,C=>2,E=>2,N=>['a','b'],R=>2,S=>2,T=>2,W=>2}," +
      "'::1'=>{B=>3,C=>3,E=>3,N=>[],R=>3,S=>3,T=>3,W=>3}};";
    const { table } = parseStatusTable(Buffer.from(text, 'latin1'), 'x');
    expect(table.entries().map((entry) => [entry.ip, entry.names, entry.bytesPerHour])).toEqual([
      ['10.0.0.2', ["x'y", 'z'], 1.5],
      ['10.0.0.1', ['a', 'b'], 2],
      ['::1', [], 3],
    ]);
    expect(Array.from(table.addressOrder(), (row) => table.ip(row))).toEqual(['10.0.0.1', '10.0.0.2', '::1']);
  });
  it('reads an empty hash as no entries', () => {
    expect(parse('my $VAR1 = {};\n').entries).toEqual([]);
  });

  const cases: Array<[string, string, RegExp, number?]> = [
    ['an empty file', '', /the file is empty/],
    ['a header without data', '# only a header\n\n', /no data after the header/, 3],
    [
      'a truncated hash',
      DAEMON.slice(0, DAEMON.indexOf('R\t=>')),
      /expected a hash key, found end of file \(is the file truncated\?\)/,
      12,
    ],
    [
      'a string where a number belongs',
      DAEMON.replace('240', "'lots'"),
      /B of '198.51.100.7' must be a number, found 'lots'/,
    ],
    [
      'a hash where the names belong',
      DAEMON.replace("['a.example.com',]", '{}'),
      /N of '198.51.100.7' must be an array/,
    ],
    [
      'a duplicate address',
      DAEMON.replace('  };\n}', "\t'198.51.100.7' => { B=>1,C=>1,E=>1,N=>[],R=>1,S=>1,T=>1,W=>1 },\n  };\n}"),
      /duplicate IP address '198.51.100.7' \(first at line 7\)/,
      17,
    ],
    [
      'a key that is not an address',
      DAEMON.replace("'198.51.100.7'", "'host.example'"),
      /hash key 'host.example' is not an IP address/,
      7,
    ],
    [
      'a number too large to count exactly',
      DAEMON.replace('240', '123456789012345678901'),
      /B of '198.51.100.7' is too large to count exactly/,
    ],
    ['an infinite number', DAEMON.replace('36000', '1e400'), /number '1e400' is too large/, 15],
    ['a negative counter', DAEMON.replace('=> 4', '=> -4'), /C of '198.51.100.7' must not be negative/],
    ['a missing key', DAEMON.replace('\t\tT\t=> 1146009100,\n', ''), /entry '198.51.100.7' lacks key 'T'/],
    [
      'an unknown key',
      DAEMON.replace('\t\tT\t=>', '\t\tZ\t=> 1,\n\t\tT\t=>'),
      /unknown key 'Z' in entry '198.51.100.7'/,
    ],
    [
      'code instead of data',
      "system('rm -rf /');\n",
      /expected '\{ my \$dump = \{', 'my \$VAR1 = \{' or '\$VAR1 = \{'/,
      1,
    ],
    ['trailing code', DAEMON + 'print "x";\n', /unexpected content after the data/, 19],
  ];
  for (const [what, text, message, line] of cases) {
    it(`refuses ${what} with a positioned error`, () => {
      const error = errorOf(() => parse(text));
      expect(error.message).toMatch(message);
      expect(error.position?.file).toBe('x.stats');
      if (line !== undefined) expect(error.position?.line).toBe(line);
      expect(error.exitCode).toBe(65);
    });
  }
});

describe('parseStatusTable with wholeCounts (the ledger)', () => {
  it('refuses a fractional byte or packet count at its line, and takes one without the option', () => {
    for (const [text, message, column] of [
      [
        DAEMON.replace('=> 240', '=> 1.5'),
        "B of '198.51.100.7' must be a whole number of bytes, found 1.5",
        8,
      ],
      [
        DAEMON.replace('=> 4', "=> '2.25'"),
        "C of '198.51.100.7' must be a whole number of packets, found 2.25",
        8,
      ],
    ] as const) {
      const buffer = Buffer.from(text, 'latin1');
      const error = errorOf(() => parseStatusTable(buffer, 'x.stats', { wholeCounts: true }));
      expect(error.message).toBe(message);
      expect(error.describe()).toBe(`${message} (x.stats:${message.startsWith('B') ? 8 : 9}:${column})`);
      expect(error.exitCode).toBe(65);
      expect(parseStatusTable(buffer, 'x.stats').table.size).toBe(1);
    }
  });
});

describe('readStatusFile', () => {
  it('reads from disk and reports a missing file by name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nl-sniffer-'));
    await writeFile(join(dir, 'a.stats'), DAEMON);
    expect((await readStatusFile(join(dir, 'a.stats'))).entries).toHaveLength(1);
    await expect(readStatusFile(join(dir, 'missing.stats'))).rejects.toMatchObject({
      code: 'NL_ERR_NO_INPUT',
      message: 'no such file',
      position: { file: join(dir, 'missing.stats') },
    });
  });
});
