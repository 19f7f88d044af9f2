import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStatus } from './read.js';
import type { DaemonHeader, SnifferEntry } from './status.js';
import {
  dumperNumber,
  formatComposite,
  formatDaemonStatus,
  formatDumperBody,
  perlNumberText,
} from './write.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/sniffer/fixtures/${name}`, import.meta.url));

const entry = (ip: string, overrides: Partial<SnifferEntry> = {}): SnifferEntry => ({
  ip,
  bytes: 240,
  count: 4,
  lastUpdate: 1234567890,
  names: [],
  ratePerHour: 0,
  start: 1,
  ptrExpiry: 0,
  bytesPerHour: 0,
  ...overrides,
});

describe('formatDaemonStatus', () => {
  it('reproduces the formats.md example byte for byte', () => {
    const original = fixture('formats-example.stats');
    const { entries } = parseStatus(original, 'example');
    const header: DaemonHeader = {
      version: '0.36',
      start: 1145923212,
      current: 1145926812,
      hitsPerMinute: 3,
      bytesPerSecond: 12,
      device: 'eth0',
      promiscuous: false,
      bpf: 'dst host 192.0.2.53 and udp port 53',
    };
    // The example's times were written in US Pacific time; only those two header lines depend on the zone.
    const written = formatDaemonStatus(header, [...entries].reverse(), true);
    const pacific = written
      .replace('Tue Apr 25 00:00:12 2006', 'Mon Apr 24 17:00:12 2006')
      .replace('Tue Apr 25 01:00:12 2006', 'Mon Apr 24 18:00:12 2006');
    expect(pacific).toBe(original.toString('latin1'));
  });
  it('pads long addresses with a space, writes optional match lines, and nothing at all for no entries', () => {
    const header: DaemonHeader = {
      version: '0.36',
      start: 0,
      current: 0,
      hitsPerMinute: 0.5,
      bytesPerSecond: 1.5,
      device: 'lo',
      promiscuous: true,
      bpf: 'host 127.0.0.1',
      fragment: { payloadOffset: 40, snaplen: 96 },
      contains: 'GET\r\n',
    };
    const text = formatDaemonStatus(header, [entry('198.51.100.200')], true);
    expect(text).toContain("\t'198.51.100.200' => {\n");
    expect(text).toContain('# hits:\t\t0 per minute\n# bytes:\t2 per second\n');
    expect(text).toContain('# device:\tlo\tpromiscuous\n');
    expect(text).toContain('# fragment:\t40 - 96\n# contains:\tGET\\x{0d}\\x{0a}\n');
    expect(formatDaemonStatus(header, [], true)).toBe('');
  });
});

describe('Data::Dumper body', () => {
  it("matches Data::Dumper's own output (Indent=2, sorted keys)", () => {
    // Printed by: perl -MData::Dumper -e '$Data::Dumper::Sortkeys=1; print "my ", Dumper({...})'
    const expected = `my $VAR1 = {
          '1.2.3.4' => {
                         'B' => 240,
                         'C' => 4,
                         'E' => 1234567890,
                         'N' => [
                                  'a.b',
                                  'c.d'
                                ],
                         'R' => '0.3',
                         'S' => 1,
                         'T' => 0,
                         'W' => '1e+20'
                       },
          '10.0.0.1' => {
                          'B' => 1,
                          'C' => 1,
                          'E' => 1,
                          'N' => [],
                          'R' => '1234567890123',
                          'S' => 1,
                          'T' => 1,
                          'W' => '1.234e-05'
                        }
        };
`;
    const body = formatDumperBody([
      entry('10.0.0.1', {
        bytes: 1,
        count: 1,
        lastUpdate: 1,
        ratePerHour: 1234567890123,
        ptrExpiry: 1,
        bytesPerHour: 0.00001234,
      }),
      entry('1.2.3.4', { names: ['a.b', 'c.d'], ratePerHour: 0.1 + 0.2, bytesPerHour: 1e20 }),
    ]);
    expect(body).toBe(expected);
  });
  it('formats numbers as Perl prints them', () => {
    expect(perlNumberText(0.1 + 0.2)).toBe('0.3');
    expect(perlNumberText(1 / 3)).toBe('0.333333333333333');
    expect(perlNumberText(123456.5)).toBe('123456.5');
    expect(dumperNumber(1234567890)).toBe('1234567890');
    expect(dumperNumber(-123456789)).toBe('-123456789');
    expect(dumperNumber(0.5)).toBe("'0.5'");
    expect(dumperNumber(12345678901)).toBe("'12345678901'");
  });
  it('writes a composite file that netledger reads back unchanged', () => {
    const entries = [
      entry('192.0.2.1', { names: ["o'brien.example"], ratePerHour: 2.5 }),
      entry('2001:db8::5'),
    ];
    const text = formatComposite({ headers: '# host a\n', hitsPerMinute: 3, bytesPerSecond: 4, entries });
    const status = parseStatus(Buffer.from(text, 'latin1'), 'composite');
    expect(status.header).toBe(
      '# host a\n\n# grand total all hosts\n# hits: \t3 per minute\n# bytes:\t4 per second\n',
    );
    expect(status.entries).toEqual(entries);
  });
  it('is evaluated by Perl to the same data (what the original read_stf does with it)', () => {
    const entries = [
      entry('192.0.2.1', { names: ['a.example', "q'uote"], bytesPerHour: 125 }),
      entry('192.0.2.2'),
    ];
    const daemon = formatDaemonStatus(
      {
        version: '0.36',
        start: 1,
        current: 2,
        hitsPerMinute: 0,
        bytesPerSecond: 0,
        device: 'eth0',
        promiscuous: false,
        bpf: 'host x',
      },
      entries,
      true,
    );
    const composite = formatComposite({ headers: '', hitsPerMinute: 0, bytesPerSecond: 0, entries });
    // The same header split as read_stf, then eval, then a canonical dump of the values.
    const perl = String.raw`
      local $/; my $text = <STDIN>; $text =~ s/\A(?:#[^\n]*\n|[ \t]*\n)*//;
      my $s = eval $text; die $@ if $@;
      for my $ip (sort keys %$s) { my $e = $s->{$ip};
        print join('|', $ip, (map { $e->{$_} } qw(B C E R S T W)), @{$e->{N}}), "\n" }`;
    for (const text of [daemon, composite]) {
      const out = execFileSync('perl', ['-e', perl], { input: Buffer.from(text, 'latin1') }).toString();
      expect(out).toBe(
        "192.0.2.1|240|4|1234567890|0|1|0|125|a.example|q'uote\n192.0.2.2|240|4|1234567890|0|1|0|0\n",
      );
    }
  });
});
