/**
 * End-to-end: `netledger fwctl …` and the `fwctlacctreport` drop-in as a user runs them (TZ=UTC), checking
 * the exact bytes of stdout and stderr and the exit codes. Expected reports were computed by hand from the
 * formats.md 2.6 semantics (the original's output differs where 2.6 fixes its defects).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FWCTL_EXAMPLE } from '../support/fwctl-example.js';

const root = new URL('../../', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(bin: 'netledger' | 'fwctlacctreport', args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', `${bin}.js`), ...args], {
      cwd: dir,
      env: { ...process.env, TZ: 'UTC' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

const EXAMPLE = FWCTL_EXAMPLE;

const HEADING =
  '                          IP ACCOUNTING REPORT                          \n' +
  '                    00-04-01 10:00 - 00-04-01 13:00                    \n\n\n';

const SUMMARY =
  '                                SUMMARY                                \n\n' +
  'Name                Pkts   Pkts/h    Bytes  Bytes/h\n' +
  'mail                  50       16    63.5k    21.2k\n' +
  'web                 2.1k      700     1.6M   546.9k\n\n\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netledger-fwctl-cli-'));
  await writeFile(join(dir, 'acct'), EXAMPLE);
  const lines = EXAMPLE.trim().split('\n');
  await writeFile(join(dir, 'acct.web'), lines.filter((line) => line.endsWith('web')).join('\n') + '\n');
  await writeFile(join(dir, 'acct.mail'), lines.filter((line) => line.endsWith('mail')).join('\n') + '\n');
  await writeFile(
    join(dir, 'bad'),
    '954583200 acct0000 0 0 web\n954586800 acct0000 12x 5 web\n954590400 acct0000 -1 5 web\n954592200 acct0000 3 4 my web\n954594000 acct0000 1 1',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fwctlacctreport (drop-in)', () => {
  it('prints the summary of formats.md 2.5 with the 2.6 semantics', async () => {
    const result = await run('fwctlacctreport', [
      '--start',
      '2000-04-01 10:00',
      '--period',
      '3h',
      '--sample',
      'hour',
      'acct',
    ]);
    expect(result).toEqual({ code: 0, stdout: HEADING + SUMMARY, stderr: '' });
  });

  it('takes Getopt prefixes (--rep, --sam, --per=) and reads stdin without files', async () => {
    const result = await run(
      'fwctlacctreport',
      ['--rep', 'pack', '--REPORT=s', '--sam', 'h', '--start', '954583200', '--per=3h', '--names', 'web'],
      EXAMPLE,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      HEADING +
        '                            PACKETS PER HOUR                            \n\n' +
        '                           STATS FOR 00-04-01                           \n\n' +
        'Chain        06:00  07:00  08:00  09:00  10:00  11:00    Avg  Total\n' +
        'web                                       1.2k    600    900   1.8k \n\n' +
        'Chain        12:00  13:00  14:00  15:00  16:00  17:00    Avg  Total\n' +
        'web            300                                       300    300 \n\n' +
        '                                SUMMARY                                \n\n' +
        'Name                Pkts   Pkts/h    Bytes  Bytes/h\n' +
        'web                 2.1k      700     1.6M   546.9k\n\n\n',
    );
  });

  it('answers --help with the usage and exit 0; an unknown sample exits 64 with the original message', async () => {
    const [help, week, unknown] = await Promise.all([
      run('fwctlacctreport', ['--help']),
      run('fwctlacctreport', ['--sample', 'week', 'acct']),
      run('fwctlacctreport', ['--reports', 'summary', 'acct']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: fwctlacctreport \[--start report_start\]\n/);
    expect(week).toEqual({
      code: 64,
      stdout: '',
      stderr: 'fwctlacctreport: unknown sample unit: week. (should be hour or day)\n',
    });
    expect(unknown).toEqual({
      code: 64,
      stdout: '',
      stderr: 'fwctlacctreport: unknown option: reports (run with --help for usage)\n',
    });
  });
});

describe('netledger fwctl', () => {
  it('merges files in time order: summary as CSV equals the one-file report', async () => {
    const result = await run('netledger', [
      'fwctl',
      'summary',
      '--sample',
      '1h',
      '--format',
      'csv',
      '--start',
      '2000-04-01 10:00',
      '--end',
      '2000-04-01 13:00',
      'acct.web',
      'acct.mail',
    ]);
    expect(result).toEqual({
      code: 0,
      stdout:
        'name,packets_sum,bytes_sum,packets_avg,bytes_avg\r\nmail,50,65000,16,21666\r\nweb,2100,1680000,700,560000\r\n',
      stderr: '',
    });
  });

  it('writes samples as NDJSON to -o FILE, filtered by --name-regex', async () => {
    const result = await run('netledger', [
      'fwctl',
      'samples',
      '--sample',
      'hour',
      '--name-regex',
      '^m',
      '--format',
      'ndjson',
      '-o',
      'out.ndjson',
      'acct',
    ]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(join(dir, 'out.ndjson'), 'utf8')).toBe(
      '{"name":"mail","start":954583200,"packets":40,"bytes":52000}\n' +
        '{"name":"mail","start":954586800,"packets":6,"bytes":8666}\n' +
        '{"name":"mail","start":954590400,"packets":4,"bytes":4334}\n',
    );
  });

  it('warns about each bad line, counts them by reason, and still reports', async () => {
    const result = await run('netledger', ['fwctl', 'summary', '--sample', '1h', '--format', 'csv', 'bad']);
    expect(result.code).toBe(0);
    // web is listed by its zero start-up line; every later line is bad.
    expect(result.stdout).toBe('name,packets_sum,bytes_sum,packets_avg,bytes_avg\r\nweb,0,0,0,0\r\n');
    expect(result.stderr).toBe(
      "netledger: warning: skipped line: packets: expected a whole number, got '12x' (bad:2)\n" +
        "netledger: warning: skipped line: packets: expected a count, got the negative number '-1' (bad:3)\n" +
        "netledger: warning: skipped line: expected '<epoch> <chain> <packets> <bytes> [<name>]', got 6 fields (a name with spaces?) (bad:4)\n" +
        'netledger: warning: skipped line: the last line has no newline (truncated write?) (bad:5)\n' +
        'netledger: warning: skipped 4 of 5 lines (1 non-numeric counter, 1 negative counter, 1 name with spaces, 1 truncated last line); --strict makes them errors\n',
    );
  });

  it('--strict stops at the first bad line with file:line, exit 65, and writes no output file', async () => {
    const result = await run('netledger', ['fwctl', 'summary', '--strict', '-o', 'strict.txt', 'bad']);
    expect(result).toEqual({
      code: 65,
      stdout: '',
      stderr: "netledger: packets: expected a whole number, got '12x' (bad:2)\n",
    });
    expect((await readdir(dir)).filter((name) => name.includes('strict'))).toEqual([]);
  });

  it('--strict names a time going backwards in one file, exit 65', async () => {
    await writeFile(join(dir, 'backwards'), '954586800 acct0000 1 1 web\n954583200 acct0000 2 2 web\n');
    const result = await run('netledger', ['fwctl', 'samples', '--strict', 'backwards']);
    expect(result).toEqual({
      code: 65,
      stdout: '',
      stderr: 'netledger: time goes backwards: 954583200 after 954586800 (backwards:2)\n',
    });
  });

  it('rejects an unparsable date or duration (64), a missing file (66) and an empty input (65)', async () => {
    const [date, duration, missing, empty] = await Promise.all([
      run('netledger', ['fwctl', 'summary', '--start', 'someday', 'acct']),
      run('netledger', ['fwctl', 'samples', '--sample', 'fortnight', 'acct']),
      run('netledger', ['fwctl', 'summary', 'nope']),
      run('netledger', ['fwctl', 'summary'], ''),
    ]);
    expect(date).toEqual({
      code: 64,
      stdout: '',
      stderr:
        "netledger: --start: invalid date 'someday': expected YYYY-MM-DD [HH:MM[:SS]], HH:MM, an epoch, or e.g. 'yesterday', '2 days ago'\n",
    });
    expect(duration).toEqual({
      code: 64,
      stdout: '',
      stderr:
        "netledger: --sample: invalid duration 'fortnight': expected e.g. 1d, 1h, 30m, '2 weeks 3 hours'\n",
    });
    expect(missing).toEqual({ code: 66, stdout: '', stderr: 'netledger: no such file (nope)\n' });
    expect(empty).toEqual({ code: 65, stdout: '', stderr: 'netledger: the file is empty (<stdin>)\n' });
  });
});
