// Shared launcher of the netledger bins. Runs the bundle in dist/cli (built by `npm run build`, which
// `npm ci` runs through `prepare`) when it is current, else the TypeScript sources through tsx: a checkout
// being edited always runs what is on disk. NETLEDGER_FROM_SOURCE=1 forces the sources.
//
// Each bin's first line starts node through `env -S` with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 put in
// front of the caller's tunables: glibc then asks for transparent huge pages (madvise) on the large
// buffers it maps, a status file read whole or a report's output. On a virtual machine a first touch of a
// 4 KiB page costs a fault in the guest and one in the host: reading a 160 MB status file into a fresh
// buffer took 0.5-0.65 s of system time on 4 KiB pages and 0.03 s on 2 MiB pages (docs/sniffer.md). glibc
// reads tunables at start-up only, so the shebang is the one place to set it; `node bin/x.js` runs without.
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
