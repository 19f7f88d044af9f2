// Shared launcher of the netledger bins. Runs the bundle in dist/cli (built by `npm run build`, which
// `npm ci` runs through `prepare`) when it is current, else the TypeScript sources through tsx: a checkout
// being edited always runs what is on disk. NETLEDGER_FROM_SOURCE=1 forces the sources.
import { bundleIsCurrent } from '../src/io/bundle-state.js';

const ROOT = new URL('../', import.meta.url);

/**
 * @param {string} name the bin's name (its bundle is dist/cli/<name>.js)
 * @param {string} sourcePath its TypeScript entry, relative to this file; exports
 *   `main(argv: string[]): Promise<number>`
 */
export async function launch(name, sourcePath) {
  let entry;
  if (bundleIsCurrent(ROOT)) {
    // --debug prints stack traces: point them at the sources, not at the bundle's lines.
    if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
    entry = await import(new URL(`dist/cli/${name}.js`, ROOT).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    entry = await import(new URL(sourcePath, import.meta.url).href);
  }
  process.exitCode = await entry.main(process.argv);
}
