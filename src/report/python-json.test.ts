import { describe, expect, it } from 'vitest';
import { pyFloatRepr, pyJsonString, pyParseFloat, pyParseInt, pyRound } from './python-json.js';

// Expected values printed by CPython 3.11: repr(x), repr(round(x, 2)), repr(round(x, 3)), repr(round(x, 0)).
const ROUND_CASES: Array<[number, string, string, string]> = [
  [0.125, '0.12', '0.125', '0.0'],
  [0.375, '0.38', '0.375', '0.0'],
  [0.625, '0.62', '0.625', '1.0'],
  [0.875, '0.88', '0.875', '1.0'],
  [-0.125, '-0.12', '-0.125', '-0.0'],
  [2.675, '2.67', '2.675', '3.0'],
  [1.005, '1.0', '1.005', '1.0'],
  [0.0625, '0.06', '0.062', '0.0'],
  [0.1875, '0.19', '0.188', '0.0'],
  [1.5, '1.5', '1.5', '2.0'],
  [2.5, '2.5', '2.5', '2.0'],
  [0.5, '0.5', '0.5', '0.0'],
  [123456789012.125, '123456789012.12', '123456789012.125', '123456789012.0'],
  [1e-7, '0.0', '0.0', '0.0'],
  [-0.001, '-0.0', '-0.001', '-0.0'],
  [5e-324, '0.0', '0.0', '0.0'],
  [1.7976931348623157e308, '1.7976931348623157e+308', '1.7976931348623157e+308', '1.7976931348623157e+308'],
  [1 / 3, '0.33', '0.333', '0.0'],
  [2.345, '2.35', '2.345', '2.0'],
  [8.125, '8.12', '8.125', '8.0'],
  [0.045, '0.04', '0.045', '0.0'],
  // A tie too large for x·100 to be exact in a double (found by differential fuzzing).
  [953197979220284.125, '953197979220284.1', '953197979220284.1', '953197979220284.0'],
];

describe("Python's round() on binary doubles", () => {
  for (const [x, two, three, zero] of ROUND_CASES) {
    it(`round(${x}, n)`, () => {
      expect(pyFloatRepr(pyRound(x, 2))).toBe(two);
      expect(pyFloatRepr(pyRound(x, 3))).toBe(three);
      expect(pyFloatRepr(pyRound(x, 0))).toBe(zero);
    });
  }

  it('exact ties go to the even digit, near-ties follow the binary value', () => {
    // 0.125 = 1/8 is an exact tie at 2 decimals; 2.675 is really 2.67499999999999982236431605997495353221893310546875.
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(0.375, 2)).toBe(0.38);
    expect(pyRound(2.675, 2)).toBe(2.67);
    expect(Math.round(2.675 * 100) / 100).toBe(2.68); // the naive port would differ here
  });

  it('keeps infinities and NaN', () => {
    expect(pyRound(Infinity, 3)).toBe(Infinity);
    expect(pyRound(NaN, 3)).toBeNaN();
  });
});

describe("Python's repr(float) as json.dumps writes it", () => {
  const cases: Array<[number, string]> = [
    [1e16, '1e+16'],
    [1234567890123456.0, '1234567890123456.0'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-5, '1.5e-05'],
    [1e22, '1e+22'],
    [123, '123.0'],
    [-0, '-0.0'],
    [1e-7, '1e-07'],
    [12345678.9, '12345678.9'],
    [2.5e-10, '2.5e-10'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ];
  for (const [x, text] of cases) it(`${text}`, () => expect(pyFloatRepr(x)).toBe(text));
});

describe("Python's int() and float() of text", () => {
  it('int() takes signs, leading zeros, underscores between digits and surrounding blanks', () => {
    expect(pyParseInt('007')).toBe(7);
    expect(pyParseInt('+12')).toBe(12);
    expect(Object.is(pyParseInt('-0'), 0)).toBe(true); // no negative zero among ints
    expect(pyParseInt('1_000')).toBe(1000);
    expect(pyParseInt(' 5 ')).toBe(5);
    expect(pyParseInt('123456789012345678901')).toBe(123456789012345678901n);
    for (const bad of ['1.0', '1e3', '-', '', '1__0', '_1', '0x10']) expect(pyParseInt(bad)).toBeUndefined();
  });

  it('float() takes exponents, inf and nan in any case', () => {
    expect(pyParseFloat('1e3')).toBe(1000);
    expect(pyParseFloat('.5')).toBe(0.5);
    expect(pyParseFloat('5.')).toBe(5);
    expect(pyParseFloat('-Infinity')).toBe(-Infinity);
    expect(pyParseFloat('NaN')).toBeNaN();
    for (const bad of ['-', '---', '', '0x10', 'grafana.com', '1.2.3', '10.0.0.5']) {
      expect(pyParseFloat(bad)).toBeUndefined();
    }
  });
});

describe('json.dumps string escaping (ensure_ascii)', () => {
  it('escapes quotes, backslashes, controls and everything from 0x7f', () => {
    expect(pyJsonString('plain-host.example')).toBe('"plain-host.example"');
    expect(pyJsonString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(pyJsonString('\n\t\u0001\u007f')).toBe('"\\n\\t\\u0001\\u007f"');
    expect(pyJsonString('café')).toBe('"caf\\u00e9"');
    expect(pyJsonString('😀')).toBe('"\\ud83d\\ude00"');
  });
});
