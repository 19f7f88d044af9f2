import { describe, expect, it } from 'vitest';
import { renderTabular, toJson, type Column } from './tabular.js';

const columns: Column[] = [
  { key: 'name', title: 'Name' },
  { key: 'bytes', title: 'Bytes', numeric: true },
];
const rows = [
  { name: 'web, "main"', bytes: 2n ** 60n },
  { name: 'mail', bytes: 12 },
];

describe('renderTabular', () => {
  it('writes RFC 4180 CSV', () => {
    expect(renderTabular('csv', columns, rows)).toBe(
      'Name,Bytes\r\n"web, ""main""",1152921504606846976\r\nmail,12\r\n',
    );
  });
  it('keeps bigint exact in JSON (string past 2^53)', () => {
    expect(renderTabular('ndjson', columns, rows)).toBe(
      '{"name":"web, \\"main\\"","bytes":"1152921504606846976"}\n{"name":"mail","bytes":12}\n',
    );
    expect(toJson({ n: 5n })).toBe('{"n":5}');
  });
  it('aligns text columns, numbers to the right', () => {
    expect(renderTabular('text', columns, rows)).toBe(
      'Name                       Bytes\nweb, "main"  1152921504606846976\nmail                          12\n',
    );
  });
});
