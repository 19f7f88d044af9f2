export * from './errors.js';
export * from './ip.js';
export * from './record.js';
export * from './time.js';
