/**
 * Records as JSON, the schema the sinks publish and `collect` consumes: a TrafficRecord with counters as
 * JSON numbers, or as decimal strings when they pass 2^53 (report/tabular's toJson writes them so).
 */
import type { Counter, TrafficRecord } from '../model/record.js';

const STRING_FIELDS = ['src', 'dst', 'proto', 'srcMac', 'dstMac', 'name', 'sensor'] as const;
const PORT_FIELDS = ['sport', 'dport', 'vlan'] as const;
/** Keys a publisher may add that are not record fields (schema version). */
const IGNORED_KEYS = new Set(['schema']);
const KNOWN_KEYS = new Set<string>([
  'start',
  'end',
  'packets',
  'bytes',
  'extra',
  ...STRING_FIELDS,
  ...PORT_FIELDS,
]);

/**
 * Checks one parsed JSON value and returns it as a record, or returns a sentence saying what is wrong
 * (the caller adds the position).
 */
export function recordFromJson(value: unknown): TrafficRecord | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a JSON object (a record)';
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key) && !IGNORED_KEYS.has(key)) return `unknown record field '${key}'`;
  }
  const { start, end } = input;
  if (typeof start !== 'number' || !Number.isFinite(start)) return "'start' must be epoch seconds (a number)";
  if (typeof end !== 'number' || !Number.isFinite(end)) return "'end' must be epoch seconds (a number)";
  if (end < start) return `'end' (${end}) is before 'start' (${start})`;
  const packets = counterFrom(input.packets);
  if (packets === undefined) return "'packets' must be a non-negative integer";
  const bytes = counterFrom(input.bytes);
  if (bytes === undefined) return "'bytes' must be a non-negative integer";
  const record: TrafficRecord = { start, end, packets, bytes };
  for (const field of STRING_FIELDS) {
    const text = input[field];
    if (text === undefined || text === null) continue;
    if (typeof text !== 'string') return `'${field}' must be a string`;
    record[field] = text;
  }
  for (const field of PORT_FIELDS) {
    const number = input[field];
    if (number === undefined || number === null) continue;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 0 || number > 65535) {
      return `'${field}' must be an integer 0..65535`;
    }
    record[field] = number;
  }
  if (input.extra !== undefined && input.extra !== null) {
    if (typeof input.extra !== 'object' || Array.isArray(input.extra)) return "'extra' must be an object";
    const extra: Record<string, number | string> = {};
    for (const [key, item] of Object.entries(input.extra as Record<string, unknown>)) {
      if (typeof item !== 'string' && typeof item !== 'number')
        return `'extra.${key}' must be a string or number`;
      extra[key] = item;
    }
    record.extra = extra;
  }
  return record;
}

const UINT64_MAX = (1n << 64n) - 1n;

function counterFrom(value: unknown): Counter | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
    const big = BigInt(value);
    return big <= UINT64_MAX ? big : undefined;
  }
  return undefined;
}
