// Whether the bundle in dist/cli is current: built, and no bundled source modified since (the manifest
// scripts/build.ts writes). Plain JavaScript, so that bin/launch.js can read it before any TypeScript
// loader is registered; the TypeScript sources import it through bundle-state.d.ts.
import { readFileSync, statSync } from 'node:fs';

/**
 * @param {URL} root the package root (the directory holding dist/)
 * @param {string} [requiredInput] a source that must be in the bundle (a worker entry newer builds add)
 * @returns {boolean} false when NETLEDGER_FROM_SOURCE=1, when nothing was built, when `requiredInput` was
 *   not bundled, or when a bundled source is gone or newer than the build
 */
export function bundleIsCurrent(root, requiredInput) {
  if (process.env.NETLEDGER_FROM_SOURCE === '1') return false;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('dist/cli/manifest.json', root), 'utf8'));
  } catch {
    return false; // never built
  }
  if (requiredInput !== undefined && !manifest.inputs.includes(requiredInput)) return false;
  return manifest.inputs.every((/** @type {string} */ input) => {
    const stats = statSync(new URL(input, root), { throwIfNoEntry: false });
    return stats !== undefined && stats.mtimeMs <= manifest.builtAtMs;
  });
}
