/**
 * The pages in a real browser (playwright-core driving Debian's chromium): log in, the dashboard's chart
 * drew and its table equals the API, drill down into one key, the Sniffer tables equal the text report,
 * log out. One browser for the file; a screenshot per page under test-output/server/.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userLine } from '../../src/server/auth.js';
import { buildWebAssets } from '../../src/server/build.js';
import { REPO_ROOT } from '../support/cli.js';
import { requireService } from '../support/services.js';
import { generateRecords } from '../ledger/generate.js';
import { FWCTL_EXAMPLE } from '../support/fwctl-example.js';
import { fixture, makeLedger, serve, tempDir, type Running } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(REPO_ROOT, 'test-output', 'server');

describe.runIf(requireService(existsSync(CHROMIUM), `chromium at ${CHROMIUM} (apt-get install chromium)`))(
  'pages in chromium',
  () => {
    let server: Running;
    let browser: Browser;
    let page: Page;
    let remove: () => Promise<void>;

    beforeAll(async () => {
      const temp = await tempDir('nl-browser-');
      remove = temp.remove;
      const users = join(temp.dir, 'users');
      await writeFile(join(temp.dir, 'fwctl_acct'), FWCTL_EXAMPLE);
      await writeFile(users, `${await userLine('alice', 'admin', 'alice-secret')}\n`);
      const [ledger, assets] = await Promise.all([
        makeLedger(temp.dir, generateRecords(400, 5)),
        buildWebAssets(join(temp.dir, 'assets')),
        mkdir(SHOTS, { recursive: true }),
      ]);
      server = await serve({
        ledger,
        stats: [fixture('seed2-300.stats')],
        cacheDir: join(temp.dir, 'cache'),
        usersFile: users,
        assetsDir: assets,
        fwctl: [join(temp.dir, 'fwctl_acct')],
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    });
    afterAll(async () => {
      await browser?.close();
      await server?.app.close();
      await remove?.();
    });

    const apiJson = (path: string) =>
      page.evaluate(async (url) => {
        const response = await fetch(url);
        return { status: response.status, body: await response.json() };
      }, path);

    /** Pixels with any opacity in each canvas matching `selector`: a blank canvas has none. */
    const paintedPixels = (selector: string) =>
      page.$$eval(selector, (list) =>
        list.map((canvas) => {
          const { width, height } = canvas as HTMLCanvasElement;
          const { data } = (canvas as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, width, height);
          let count = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
          return count;
        }),
      );

    it('sends an anonymous viewer to the login page, logs in', async () => {
      await page.goto(`${server.url}/`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('#login-user', 'alice');
      await page.fill('#login-password', 'wrong-password');
      await page.click('button[type=submit]');
      await expect.poll(() => page.textContent('#error')).toBe('wrong user name or password');
      await page.screenshot({ path: join(SHOTS, 'login.png') });
      await page.fill('#login-password', 'alice-secret');
      await page.click('button[type=submit]');
      await page.waitForSelector('body[data-ready=true]');
      expect(new URL(page.url()).pathname).toBe('/');
      expect(await page.textContent('#user')).toBe('alice (admin)');
    });

    it('the dashboard drew its chart and its table equals the API', async () => {
      expect(await paintedPixels('#chart canvas')).toEqual([expect.any(Number)]);
      expect((await paintedPixels('#chart canvas'))[0]).toBeGreaterThan(500);
      const cells = await page.$$eval('#top-body tr', (rows) =>
        rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
      );
      const api = await apiJson('/api/top?by=host&limit=20');
      expect(cells).toEqual(
        api.body.rows.map((row: Record<string, unknown>) =>
          [row.key, row.bytes, row.packets, row.records].map(String),
        ),
      );
      expect(cells.length).toBe(11); // 7 IPv4 + 4 IPv6 hosts in the generator
      await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
    });

    it('drills down into one key', async () => {
      const key = (await page.textContent('#top-body tr:nth-child(2) td'))!;
      await page.click('#top-body tr:nth-child(2)');
      await expect.poll(() => page.textContent('#chart-title')).toBe(`host ${key}, bytes/s per 300 s bin`);
      expect(await page.isVisible('#back')).toBe(true);
      const legend = await page.$$eval('#chart .u-legend .u-series .u-label', (labels) =>
        labels.map((label) => label.textContent),
      );
      expect(legend).toEqual(['time (UTC)', key]);
      await page.screenshot({ path: join(SHOTS, 'drilldown.png'), fullPage: true });
    });

    it('the Sniffer tables show the text report’s numbers', async () => {
      await page.goto(`${server.url}/sniffer`);
      for (const by of ['cidr24', 'domain']) {
        await page.selectOption('#by', by);
        await page.waitForSelector(`body[data-loaded="${by}"]`);
        expect(await page.textContent('#group-title')).toBe(by === 'domain' ? 'sub domain' : 'CIDR/24');
        const text = await page.evaluate(
          async (url) => (await fetch(url)).text(),
          `/api/sniffer/report?by=${by}&format=text`,
        );
        const fromText = [...text.matchAll(/^ +(\d+)\t -- (\d+)\t -- (\d+)\t/gm)].map((m) => [
          m[1],
          m[2],
          m[3],
        ]);
        const fromTable = await page.$$eval('#groups-body tr', (rows) =>
          rows.map((row) => [...row.querySelectorAll('td')].slice(1, 4).map((cell) => cell.textContent)),
        );
        expect(fromTable.length).toBeGreaterThan(5);
        expect(fromTable).toEqual(fromText);
        await page.screenshot({ path: join(SHOTS, `sniffer-${by}.png`), fullPage: true });
      }
      // Sorting by #IP's (descending on first click).
      await page.click('#groups thead th:nth-child(4)');
      const counts = await page.$$eval('#groups-body tr td:nth-child(4)', (cells) =>
        cells.map((c) => Number(c.textContent)),
      );
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    });

    it('the fwctl page draws one histogram per chain and the summary of the API', async () => {
      await page.goto(`${server.url}/fwctl`);
      await page.waitForSelector('body[data-loaded="sample=1d"]');
      await page.selectOption('#sample', '1h');
      await page.waitForSelector('body[data-loaded="sample=1h"]');
      expect(await page.$$eval('figure.chain canvas', (list) => list.length)).toBe(2);
      const painted = await paintedPixels('figure.chain canvas');
      expect(painted.every((count) => count > 200)).toBe(true);
      expect(await page.$$eval('figure.chain figcaption', (list) => list.map((c) => c.textContent))).toEqual([
        'mail',
        'web',
      ]);
      const api = await apiJson('/api/fwctl/summary?sample=1h');
      const cells = await page.$$eval('#summary-body tr', (rows) =>
        rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
      );
      expect(cells).toEqual(
        api.body.rows.map((row: Record<string, unknown>) =>
          [row.name, row.packets_sum, row.bytes_sum, row.packets_avg, row.bytes_avg].map(String),
        ),
      );
      await page.screenshot({ path: join(SHOTS, 'fwctl.png'), fullPage: true });
    });

    it('logs out', async () => {
      await page.click('#logout');
      await page.waitForURL(`${server.url}/login`);
      expect((await apiJson('/api/top?by=host')).status).toBe(401);
      await page.goto(`${server.url}/`);
      expect(new URL(page.url()).pathname).toBe('/login');
    });
  },
);
