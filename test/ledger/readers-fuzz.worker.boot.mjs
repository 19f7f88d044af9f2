// Starts readers-fuzz.worker.ts in a worker thread: a worker does not inherit the TypeScript loader of its
// parent, so it registers tsx's own before importing the worker (as src/report/tstat-json-worker.boot.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./readers-fuzz.worker.ts');
