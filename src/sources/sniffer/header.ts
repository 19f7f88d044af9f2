/**
 * The values a daemon writes into a status file's header (`# start:`, `# hits:` …), read back. One place
 * for the patterns: the ledger's records, the sensor's resume and `serve`'s sensor status all need them.
 */

export interface HeaderValues {
  start?: number;
  current?: number;
  hitsPerMinute?: number;
  bytesPerSecond?: number;
  users?: number;
  device?: string;
}

const NUMBERS: Array<[Exclude<keyof HeaderValues, 'device'>, RegExp]> = [
  ['start', /^# start:\s+(\d+)/m],
  ['current', /^# current:\s+(\d+)/m],
  ['hitsPerMinute', /^# hits:\s+(\d+)/m],
  ['bytesPerSecond', /^# bytes:\s+(\d+)/m],
  ['users', /^# users:\s+(\d+)/m],
];
const DEVICE = /^# device:\s+(\S+)/m;

/** The first value of each kind in `header` (a composite file repeats them per host; the first wins). */
export function headerValues(header: string): HeaderValues {
  const values: HeaderValues = {};
  for (const [key, pattern] of NUMBERS) {
    const text = pattern.exec(header)?.[1];
    if (text !== undefined) values[key] = Number(text);
  }
  const device = DEVICE.exec(header)?.[1];
  if (device !== undefined) values.device = device;
  return values;
}
