/**
 * Builds the pages into one directory (default dist/web): the page scripts bundled by esbuild (uPlot
 * from node_modules, nothing from a CDN), the HTML shells with the shared navigation, the styles.
 * `npm run build` runs this file; tests call {@link buildWebAssets} into a temp directory.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DEFAULT_ASSETS_DIR } from './serve.js';

const SOURCE = fileURLToPath(new URL('./web/', import.meta.url));
const SCRIPTS = ['dashboard', 'sniffer', 'fwctl', 'login'];
const PAGES = ['dashboard', 'sniffer', 'fwctl', 'login'];

export async function buildWebAssets(outDir: string = DEFAULT_ASSETS_DIR): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: SCRIPTS.map((name) => join(SOURCE, `${name}.ts`)),
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'silent',
  });
  const nav = await readFile(join(SOURCE, 'nav.html'), 'utf8');
  for (const page of PAGES) {
    const html = await readFile(join(SOURCE, `${page}.html`), 'utf8');
    await writeFile(join(outDir, `${page}.html`), html.replace('<!-- nav -->\n', nav));
  }
  await copyFile(join(SOURCE, 'app.css'), join(outDir, 'app.css'));
  const require = createRequire(import.meta.url);
  await copyFile(require.resolve('uplot/dist/uPlot.min.css'), join(outDir, 'uPlot.min.css'));
  return outDir;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = await buildWebAssets(process.argv[2]);
  process.stdout.write(`pages built in ${outDir}\n`);
}
