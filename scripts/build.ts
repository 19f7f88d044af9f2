/**
 * `npm run build` (also run by `npm ci` / `npm install` through `prepare`): bundles the bins into
 * dist/cli and the web pages into dist/web.
 *
 * Why bundle the bins: run through tsx, every command paid about a second of start-up (the TypeScript
 * loader, then some 150 modules resolved one by one) before doing any work: `netledger top` over ten
 * million flows spent more time starting than answering. The bundles are plain ESM with the packages left
 * in node_modules and a chunk per lazily loaded part (the DuckDB and ClickHouse backends, the server),
 * so a command loads only what it runs. bin/launch.js falls back to the sources whenever one of them is
 * newer than the bundle, so an edit is never shadowed by a stale build.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildWebAssets } from '../src/server/build.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Bin name → its TypeScript entry (each exports `main(argv): Promise<number>`). */
export const BIN_ENTRIES: Readonly<Record<string, string>> = {
  netledger: 'src/cli/entry.ts',
  fwctlacctreport: 'src/compat/fwctlacctreport.ts',
  'ra-sum': 'src/compat/ra_sum.ts',
  tstat_cull: 'src/compat/tstat_cull.ts',
  tstat_send: 'src/compat/tstat_send.ts',
};

/**
 * Packages left in node_modules, loaded by Node at run time: every dependency but @duckdb/node-api. That
 * one is bundled: it is 181 small CommonJS files, and Node's loader spent ~0.4 s finding, reading and
 * scanning them for exports on every ledger command; bundled it is one module in the DuckDB chunk (its
 * native part, @duckdb/node-bindings, stays external).
 */
const BUNDLED_PACKAGES = new Set(['@duckdb/node-api']);
const EXTERNAL_PACKAGES = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
    .dependencies,
)
  .filter((name) => !BUNDLED_PACKAGES.has(name))
  .flatMap((name) => [name, `${name}/*`]);

/**
 * Worker thread entries, bundled next to the bins: a module starting one resolves it relative to its own
 * URL (`./tstat-json-worker.js` from a chunk in dist/cli; from the sources it starts the `.boot.mjs`
 * next to the `.ts`, which registers tsx first).
 */
export const WORKER_ENTRIES: Readonly<Record<string, string>> = {
  'tstat-json-worker': 'src/report/tstat-json-worker.ts',
};

/** What bin/launch.js reads to decide whether the bundles are current. */
export interface CliManifest {
  /** When the build started (ms): a source modified after this makes the bundles stale. */
  builtAtMs: number;
  /** Every source file bundled, relative to the repository root. */
  inputs: string[];
}

/**
 * Bundles the bins into `outDir` (default dist/cli). Must stay two directories below the root, as the
 * sources are: modules that find files relative to themselves (server/serve.ts → dist/web) then resolve
 * the same paths from the bundle.
 */
export async function buildCli(outDir: string = join(ROOT, 'dist', 'cli')): Promise<CliManifest> {
  const builtAtMs = Date.now();
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { ...BIN_ENTRIES, ...WORKER_ENTRIES },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL_PACKAGES,
    // The bundled CommonJS package requires its native part: give ESM chunks a real `require`.
    banner: {
      js: "import { createRequire as __netledgerCreateRequire } from 'node:module';\nconst require = __netledgerCreateRequire(import.meta.url);",
    },
    sourcemap: true,
    metafile: true,
    logLevel: 'silent',
  });
  // Our sources only: a package changes through npm install, which rebuilds (prepare).
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => relative(ROOT, join(ROOT, input)))
    .filter((input) => !input.startsWith('node_modules/'))
    .sort();
  const manifest: CliManifest = { builtAtMs, inputs };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const manifest = await buildCli();
  const pages = await buildWebAssets();
  process.stdout.write(
    `bins bundled in dist/cli (${manifest.inputs.length} sources); pages built in ${relative(ROOT, pages)}\n`,
  );
}
