/** See bundle-state.js: whether dist/cli is built and no bundled source changed since. */
export function bundleIsCurrent(root: URL, requiredInput?: string): boolean;
