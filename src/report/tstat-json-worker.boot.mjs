// Starts tstat-json-worker.ts from the sources (bin/launch.js running them through tsx, tests, the
// benchmark): a worker thread does not get the TypeScript loader its parent registered with tsx's API, so
// it registers its own before importing the worker. The bundle starts dist/cli/tstat-json-worker.js.
import { register } from 'tsx/esm/api';

register();
await import('./tstat-json-worker.ts');
