/**
 * netledger as a library: the typed core without the CLI.
 *
 * - model: records, IP values, errors, time parsing
 * - sources: one streaming reader per input format
 * - aggregate: grouping, time bins, top-N
 * - report: renderers (seed-exact text, JSON, CSV, NDJSON, HTML)
 */
export * from './model/index.js';
export * from './aggregate/timebins.js';
export * from './report/tabular.js';
export * from './report/perl-format.js';
