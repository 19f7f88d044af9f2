import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { netledger } from '../support/cli.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const golden = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nl-sniffer-cli-'));
});

describe('netledger sniffer report', () => {
  it('prints the original report byte for byte (type 0 default, type 1 with --by domain)', async () => {
    const byCidr = await netledger(['sniffer', 'report', fixture('seed1-40.stats')]);
    expect(byCidr.stderr).toBe('');
    expect(byCidr.code).toBe(0);
    expect(byCidr.stdout.equals(golden('seed1-40.0.txt'))).toBe(true);
    const byDomain = await netledger(['sniffer', 'report', '--by', '1', fixture('seed1-40.stats')]);
    expect(byDomain.stdout.equals(golden('seed1-40.1.txt'))).toBe(true);
  });
  it('writes JSON to a file atomically with -o', async () => {
    const out = join(dir, 'report.json');
    const result = await netledger([
      'sniffer',
      'report',
      '--format',
      'json',
      '-o',
      out,
      fixture('formats-example.stats'),
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).totals.users).toBe(3);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  const errors: Array<[string, () => Promise<string[]>, string, number]> = [
    [
      'a missing file',
      async () => [join(dir, 'nope.stats')],
      `netledger: no such file (${'DIR'}/nope.stats)\n`,
      66,
    ],
    [
      'an empty file',
      async () => {
        await writeFile(join(dir, 'empty.stats'), '');
        return [join(dir, 'empty.stats')];
      },
      'netledger: the file is empty (DIR/empty.stats)\n',
      65,
    ],
    [
      'a truncated file',
      async () => {
        const text = readFileSync(fixture('formats-example.stats'), 'latin1');
        await writeFile(join(dir, 'cut.stats'), text.slice(0, text.indexOf('R\t=>')), 'latin1');
        return [join(dir, 'cut.stats')];
      },
      'netledger: expected a hash key, found end of file (is the file truncated?) (DIR/cut.stats:17:3)\n',
      65,
    ],
    [
      'an unknown grouping',
      async () => ['--by', 'asn', fixture('formats-example.stats')],
      "netledger: invalid --by 'asn': expected cidr24 (0) or domain (1)\n",
      64,
    ],
  ];
  for (const [what, args, message, code] of errors) {
    it(`answers ${what} with one line and exit ${code}`, async () => {
      const result = await netledger(['sniffer', 'report', ...(await args())]);
      expect(result.stderr.replaceAll(dir, 'DIR')).toBe(message);
      expect(result.code).toBe(code);
      expect(result.stdout.length).toBe(0);
    });
  }
  it('reports an empty file as no users with --allow-empty', async () => {
    await writeFile(join(dir, 'empty2.stats'), '');
    const result = await netledger(['sniffer', 'report', '--allow-empty', join(dir, 'empty2.stats')]);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toMatch(
      /rate\t\t= 0 connections per minute\nbandwidth\t= 0 bytes per second\nusers\t\t= 0\n$/,
    );
  });
});

describe('netledger sniffer merge', () => {
  it('sums per IP across hosts and writes a composite the report reads', async () => {
    const out = join(dir, 'composite.stats');
    const merged = await netledger([
      'sniffer',
      'merge',
      fixture('formats-example.stats'),
      fixture('formats-example.stats'),
      '-o',
      out,
    ]);
    expect(merged.code).toBe(0);
    const text = readFileSync(out, 'latin1');
    expect(text).toContain(
      '# grand total all hosts\n# hits: \t6 per minute\n# bytes:\t24 per second\nmy $VAR1 = {\n',
    );
    expect(text).toContain("'R' => 240,"); // 120 + 120
    const report = await netledger(['sniffer', 'report', out]);
    expect(report.stdout.toString()).toContain('      6\t -- 24\t -- 2\tapr 25 00:58:20\n');
    const inline = await netledger([
      'sniffer',
      'report',
      fixture('formats-example.stats'),
      '--merge',
      fixture('formats-example.stats'),
    ]);
    expect(inline.stdout.toString()).toBe(report.stdout.toString());
  });
  it('writes nothing when an input is bad', async () => {
    const out = join(dir, 'never.stats');
    const result = await netledger([
      'sniffer',
      'merge',
      fixture('formats-example.stats'),
      join(dir, 'missing.stats'),
      '-o',
      out,
    ]);
    expect(result.code).toBe(66);
    expect(existsSync(out)).toBe(false);
  });
});
