import { describe, expect, it } from 'vitest';
import { PerlDataReader, lineAndColumn } from './perl-data.js';

const read = (text: string) => new PerlDataReader(Buffer.from(text, 'latin1'), 'test.pl').parseValue();

describe('Perl data parser', () => {
  it('reads nested hashes, arrays, barewords, trailing commas and undef', () => {
    const value = read("{ B => 240, 'N' => ['a.example',\"b\",], 'X' => { y => undef, }, }");
    expect(value).toEqual(
      new Map<string, unknown>([
        ['B', 240],
        ['N', ['a.example', 'b']],
        ['X', new Map([['y', null]])],
      ]),
    );
  });
  it('accepts the comma as a key separator and # comments', () => {
    expect(read("{ # comment\n 'a', 1 }")).toEqual(new Map([['a', 1]]));
  });
  it('reads numbers: integers, floats, exponents, signs, underscores', () => {
    expect(read('[0, -12, 3.25, 1e3, 2.5E-2, +7, 1_000, .5]')).toEqual([
      0, -12, 3.25, 1000, 0.025, 7, 1000, 0.5,
    ]);
  });
  it("reads single-quoted escapes: only \\\\ and \\'", () => {
    expect(read("'it\\'s a \\\\ and a \\n'")).toBe("it's a \\ and a \\n");
  });
  it('reads double-quoted escapes', () => {
    expect(read('"tab\\tnl\\n\\x41\\x{42}\\101\\$\\@\\""')).toBe('tab\tnl\nAB' + 'A$@"');
  });
  it('refuses interpolation: that would be code, not data', () => {
    expect(() => read('"$ENV{HOME}"')).toThrow(/interpolation of '\$' in a double-quoted string is not data/);
    expect(() => read('"@INC"')).toThrow(/interpolation of '@'/);
  });
  it('keeps a key like __proto__ as data', () => {
    const value = read("{ '__proto__' => 1 }") as Map<string, unknown>;
    expect(value.get('__proto__')).toBe(1);
  });
  it('names line and column of the problem', () => {
    expect(() => read("{\n  'a' => 1,\n  'b' => }")).toThrow(
      expect.objectContaining({
        position: expect.objectContaining({ file: 'test.pl', line: 3, column: 10 }),
      }),
    );
    expect(() => read("{ 'a' => 1, 'a' => 2 }")).toThrow(/duplicate key 'a'/);
    expect(() => read("'open")).toThrow(/unterminated string/);
    expect(() => read('[1 2]')).toThrow(/expected ',' or '\]' in an array, found '2'/);
    expect(() => read('system("rm")')).toThrow(/expected a value/);
    expect(() => read('1e999')).toThrow(/too large/);
  });
  it('computes line and column from a byte offset', () => {
    expect(lineAndColumn(Buffer.from('ab\ncd\nef'), 4)).toEqual({ line: 2, column: 2 });
  });
});
