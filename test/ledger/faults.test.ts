/**
 * Faults: a corrupt ledger file, a ledger locked by another process, a full disk (file size limit), a
 * ClickHouse server that is not there. Each gives one clear line, a non-zero exit, and no partial commit.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRecords, toNdjson } from './generate.js';
import { REPO, runInProcess, runNetledger } from './run.js';

const HOLDER = fileURLToPath(new URL('./hold-ledger.ts', import.meta.url));

describe('ledger faults', () => {
  let dir: string;
  let small: string;
  let big: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netledger-faults-'));
    small = join(dir, 'small.ndjson');
    big = join(dir, 'big.ndjson');
    await writeFile(small, toNdjson(generateRecords(100, 1)));
    await writeFile(big, toNdjson(generateRecords(30_000, 2)));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const snapshot = async (ledger: string) => ({
    sources: (await runInProcess(['sources', '--ledger', ledger, '--format', 'ndjson'])).stdout,
    top: (await runInProcess(['top', '--ledger', ledger, '--by', 'host', '--format', 'csv'])).stdout,
  });

  it('refuses a file that is not a DuckDB database, and a truncated ledger, leaving them untouched', async () => {
    const garbage = join(dir, 'garbage.duckdb');
    const content = Buffer.from('this is not a ledger\n'.repeat(300));
    await writeFile(garbage, content);
    expect(await runInProcess(['top', '--ledger', garbage, '--by', 'host'])).toEqual({
      code: 74,
      stdout: '',
      stderr: `netledger: the ledger file is corrupt or not a DuckDB database (${garbage})\n`,
    });
    expect(await readFile(garbage)).toEqual(content);

    const good = join(dir, 'good.duckdb');
    expect((await runInProcess(['ingest', '--ledger', good, small])).code).toBe(0);
    const cut = join(dir, 'cut.duckdb');
    await copyFile(good, cut);
    await truncate(cut, Math.floor((await stat(good)).size / 4));
    expect(await runInProcess(['ingest', '--ledger', cut, big])).toEqual({
      code: 74,
      stdout: '',
      stderr: `netledger: the ledger file is corrupt or not a DuckDB database (${cut})\n`,
    });
  });

  it('refuses a DuckDB file that is not a netledger ledger', async () => {
    const other = join(dir, 'other.duckdb');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(other);
    const connection = await instance.connect();
    await connection.run('CREATE TABLE t (x INTEGER)');
    connection.closeSync();
    instance.closeSync();
    expect(await runInProcess(['top', '--ledger', other, '--by', 'host'])).toEqual({
      code: 78,
      stdout: '',
      stderr: `netledger: this DuckDB file is not a netledger ledger (no schema version) (${other})\n`,
    });
  });

  it('says the ledger is locked while another process holds it, and works once it is released', async () => {
    const ledger = join(dir, 'locked.duckdb');
    const holder = spawn(process.execPath, ['--import', 'tsx', HOLDER, ledger], { cwd: REPO });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      expect(await runInProcess(['ingest', '--ledger', ledger, small])).toEqual({
        code: 75,
        stdout: '',
        stderr: `netledger: the ledger is locked by another process (PID ${holder.pid}); DuckDB allows one writer at a time (${ledger})\n`,
      });
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => holder.once('close', resolve));
    }
    expect(await runInProcess(['ingest', '--ledger', ledger, small])).toMatchObject({ code: 0 });
  });

  it('commits nothing when the disk fills up (file size limit) and keeps what was there', async () => {
    const ledger = join(dir, 'full.duckdb');
    expect((await runInProcess(['ingest', '--ledger', ledger, small])).code).toBe(0);
    const before = await snapshot(ledger);
    // Room for 64 KiB more: far less than 30,000 records need. SIGXFSZ is ignored so that
    // writes fail with EFBIG, as they would on a full disk, instead of killing the process.
    const blocks = Math.ceil((await stat(ledger)).size / 1024) + 64;
    const result = await runNetledger(['ingest', '--ledger', ledger, big], {
      shellPrefix: `trap '' XFSZ; ulimit -f ${blocks}`,
    });
    expect(result).toEqual({
      code: 74,
      stdout: '',
      stderr: `netledger: file size limit reached; nothing was committed (${ledger})\n`,
    });
    expect(await snapshot(ledger)).toEqual(before);
    expect((await runInProcess(['ingest', '--ledger', ledger, big])).stdout).toBe(
      `${big}: 30000 records added (ndjson)\n`,
    );
  });

  it('names a ClickHouse server that does not answer', async () => {
    const result = await runInProcess(['top', '--ledger', 'clickhouse://127.0.0.1:1/nl', '--by', 'host']);
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(
      /^netledger: cannot use the ClickHouse ledger at clickhouse:\/\/127\.0\.0\.1:1\/nl: .*ECONNREFUSED.*\n$/,
    );
  });
});
