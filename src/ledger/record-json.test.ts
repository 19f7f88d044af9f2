import { describe, expect, it } from 'vitest';
import { recordFromJson } from './record-json.js';

describe('recordFromJson', () => {
  it('accepts the sink schema, with counters beyond 2^53 as decimal strings', () => {
    expect(
      recordFromJson({
        schema: 1,
        start: 1.5,
        end: 2,
        src: '10.0.0.1',
        sport: 80,
        packets: 1,
        bytes: '18446744073709551615',
        extra: { srcName: 'a.example' },
      }),
    ).toEqual({
      start: 1.5,
      end: 2,
      src: '10.0.0.1',
      sport: 80,
      packets: 1,
      bytes: 18446744073709551615n,
      extra: { srcName: 'a.example' },
    });
  });
  it('says what is wrong', () => {
    expect(recordFromJson([1])).toBe('expected a JSON object (a record)');
    expect(recordFromJson({ start: 1, end: 2, packets: 1, bytes: 1, colour: 'red' })).toBe(
      "unknown record field 'colour'",
    );
    expect(recordFromJson({ start: 2, end: 1, packets: 1, bytes: 1 })).toBe(
      "'end' (1) is before 'start' (2)",
    );
    expect(recordFromJson({ start: 1, end: 2, packets: -1, bytes: 1 })).toBe(
      "'packets' must be a non-negative integer",
    );
    expect(recordFromJson({ start: 1, end: 2, packets: 1, bytes: '18446744073709551616' })).toBe(
      "'bytes' must be a non-negative integer",
    );
    expect(recordFromJson({ start: 1, end: 2, packets: 1, bytes: 1, dport: 70000 })).toBe(
      "'dport' must be an integer 0..65535",
    );
  });
});
