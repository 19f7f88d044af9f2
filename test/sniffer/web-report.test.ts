import { createSocket, type Socket } from 'node:dgram';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkWebConfig,
  loadWebConfig,
  webReport as webReportBytes,
  type WebReportConfig,
} from '../../src/report/sniffer-web.js';
import type { SnifferGrouping } from '../../src/report/sniffer.js';

const webReport = async (config: WebReportConfig, grouping: SnifferGrouping, options: { utc?: boolean }) =>
  (await webReportBytes(config, grouping, options)).toString('latin1');
import { netledger } from '../support/cli.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const golden = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'latin1');

let dir: string;
let sensor: Socket | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nl-web-'));
});
afterEach(() => {
  sensor?.close();
  sensor = undefined;
});

/** A stand-in sensor that counts dump requests and writes `source` into the stats file on each. */
async function fakeSensor(statsFile: string, source: string): Promise<{ port: number; dumps: () => number }> {
  let dumps = 0;
  sensor = createSocket('udp4');
  sensor.on('message', (_message, sender) => {
    dumps++;
    copyFileSync(source, `${statsFile}.tmp`);
    renameSync(`${statsFile}.tmp`, statsFile);
    sensor!.send('OK 1', sender.port, sender.address);
  });
  await new Promise<void>((resolve) => sensor!.bind(0, '127.0.0.1', resolve));
  return { port: sensor.address().port, dumps: () => dumps };
}

describe('web report configuration', () => {
  it("validates with the original's messages", async () => {
    expect(() => checkWebConfig({})).toThrow('required statistics file specification missing');
    expect(() => checkWebConfig({ stats: '/nonexistent/dir/x.stats' })).toThrow(
      "stats directory missing or not readable: '/nonexistent/dir'",
    );
    expect(() => checkWebConfig({ stats: `${dir}/x`, cache: '/nonexistent/c' })).toThrow(
      "cache directory not writable: '/nonexistent'",
    );
    expect(() => checkWebConfig({ stats: `${dir}/x`, updto: '1x' })).toThrow(
      "invalid characters in update timeout: '1x'",
    );
    expect(() => checkWebConfig({ stats: `${dir}/x`, refresh: '5m' })).toThrow(
      "invalid characters in refresh: '5m'",
    );
    expect(() => checkWebConfig({ stats: `${dir}/x`, update: 'host:' })).toThrow(
      "invalid update specification 'host:'",
    );
    expect(checkWebConfig({ stats: `${dir}/x`, update: '10004' })).toEqual({
      stats: `${dir}/x`,
      updto: 15,
      refresh: 300,
      update: { host: '127.0.0.1', port: 10004 },
    });
  });
  it('names the config file when it is not JSON', async () => {
    writeFileSync(join(dir, 'bad.json'), "stats => '/x'");
    await expect(loadWebConfig(join(dir, 'bad.json'))).rejects.toMatchObject({
      code: 'NL_ERR_CONFIG',
      position: { file: join(dir, 'bad.json') },
    });
  });
});

describe('cached web report', () => {
  it('serves the cache while fresh, and rebuilds it after a dump once stale', async () => {
    const stats = join(dir, 'nc.sniffer.stats');
    copyFileSync(fixture('formats-example.stats'), stats);
    const { port, dumps } = await fakeSensor(stats, fixture('seed1-40.stats'));
    await mkdir(join(dir, 'tmp'));
    const config = checkWebConfig({
      stats,
      cache: join(dir, 'tmp', 'sniffer.cache'),
      refresh: 1,
      updto: 5,
      update: `127.0.0.1:${port}`,
    });
    const first = await webReport(config, 'cidr24', { utc: true });
    expect(first).toBe(golden('seed1-40.0.txt')); // a dump was requested first, so the new file is reported
    expect(readFileSync(join(dir, 'tmp', 'sniffer.cache.0'), 'latin1')).toBe(first);
    expect(dumps()).toBe(1);
    // Fresh: the cache answers, no dump, even though the stats file changes under it.
    copyFileSync(fixture('formats-example.stats'), stats);
    expect(await webReport(config, 'cidr24', { utc: true })).toBe(first);
    expect(dumps()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Stale: many viewers at once cost one dump and one computation.
    const viewers = await Promise.all(
      Array.from({ length: 5 }, () => webReport(config, 'cidr24', { utc: true })),
    );
    expect(new Set(viewers)).toEqual(new Set([golden('seed1-40.0.txt')]));
    expect(dumps()).toBe(2);
    // The other report type has its own cache file.
    expect(await webReport(config, 'domain', { utc: true })).toBe(golden('seed1-40.1.txt'));
  });
  it('reports straight from the stats file without a cache or dump, from the command line', async () => {
    const stats = join(dir, 'plain.stats');
    copyFileSync(fixture('seed1-40.stats'), stats);
    writeFileSync(join(dir, 'web.json'), JSON.stringify({ stats }));
    const result = await netledger(['sniffer', 'web-report', '--config', join(dir, 'web.json'), '1']);
    expect(result.code).toBe(0);
    expect(result.stdout.toString('latin1')).toBe(golden('seed1-40.1.txt'));
  });
});
