// Shared launcher of the netledger bins. Runs the bundle in dist/cli (built by `npm run build`, which
// `npm ci` runs through `prepare`) when it is current, else the TypeScript sources through tsx: a checkout
// being edited always runs what is on disk. NETLEDGER_FROM_SOURCE=1 forces the sources.
import { readFileSync, statSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);

/**
 * The bundle of bin `name`, or undefined when there is none or a bundled source changed since the build.
 * @param {string} name
 */
function currentBundle(name) {
  if (process.env.NETLEDGER_FROM_SOURCE === '1') return undefined;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('dist/cli/manifest.json', ROOT), 'utf8'));
  } catch {
    return undefined; // never built
  }
  for (const input of manifest.inputs) {
    const stats = statSync(new URL(input, ROOT), { throwIfNoEntry: false });
    if (stats === undefined || stats.mtimeMs > manifest.builtAtMs) return undefined;
  }
  return new URL(`dist/cli/${name}.js`, ROOT);
}

/**
 * @param {string} name the bin's name (its bundle is dist/cli/<name>.js)
 * @param {string} sourcePath its TypeScript entry, relative to this file; exports
 *   `main(argv: string[]): Promise<number>`
 */
export async function launch(name, sourcePath) {
  const bundle = currentBundle(name);
  let entry;
  if (bundle !== undefined) {
    // --debug prints stack traces: point them at the sources, not at the bundle's lines.
    if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
    entry = await import(bundle.href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    entry = await import(new URL(sourcePath, import.meta.url).href);
  }
  process.exitCode = await entry.main(process.argv);
}
