/**
 * The byte fast paths must agree with the text functions of python-json.ts (which the goldens check
 * against the original) on every input: seeded random fields of the shapes tstat writes and of the odd
 * ones it does not.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/gen/random.js';
import {
  PyCell,
  castField,
  castText,
  truncatedThousandths,
  writeAddressField,
  writeCastField,
  writeCell,
  writeRoundedValue,
} from './python-bytes.js';
import { pyFloatRepr, pyParseFloat, pyParseInt, pyRound } from './python-json.js';

const random = seededRandom(20261126);
const int = (below: number): number => Math.floor(random() * below);
const digits = (count: number): string => Array.from({ length: count }, () => String(int(10))).join('');
const ODD = [
  '-',
  '---',
  '',
  '.',
  '+',
  '1e3',
  '-0',
  '-0.0',
  '-0.000',
  '0.0',
  '0.000',
  'inf',
  'nan',
  '-inf',
  'Infinity',
  '1_0',
  '+5',
  '5.',
  '.5',
  '1E-7',
  '0x1',
  '1e400',
  '12345678901234567890',
  '9007199254740993',
  '00',
  '007',
  ' 5',
  'a"b',
  '\\',
  'café',
  '1.2.3',
  '..',
  '1..2',
  '01.02.03.04',
  '10.0.0.1',
  '2001:db8::1',
  'grafana.com',
  '1,5',
  'e',
  '٣',
  '0.9995',
  '0.0005',
  '999.9996',
  '1.0005000',
  '1.00050001',
  '2.675',
  '0.125',
];

/** A field as tstat writes it, or as it should not. */
function field(): string {
  const pick = random();
  if (pick < 0.2) return String(int(10));
  if (pick < 0.35) return digits(1 + int(18));
  if (pick < 0.55) return `${digits(1 + int(8))}.${digits(1 + int(9))}`;
  if (pick < 0.65)
    return `${int(1000)}.${digits(3)}5${random() < 0.5 ? '' : '0'.repeat(int(3)) + (random() < 0.5 ? '1' : '')}`;
  if (pick < 0.7) return `-${digits(1 + int(5))}.${digits(1 + int(7))}`;
  if (pick < 0.75) return `0${digits(int(4))}${random() < 0.5 ? `.${digits(1 + int(6))}` : ''}`;
  if (pick < 0.85) return `${digits(1 + int(13))}.${digits(random() < 0.5 ? 6 : 3)}`;
  if (pick < 0.92) return `${int(256)}.${int(256)}.${int(256)}.${int(256)}`;
  return ODD[int(ODD.length)] as string;
}

const out = Buffer.alloc(4096);
const written = (end: number): string => out.toString('latin1', 0, end);

describe('python-bytes fast paths agree with the text functions', () => {
  const fields = Array.from({ length: 50_000 }, field);

  it('writeCastField = json of the cast text', () => {
    const cell = new PyCell();
    const wrong: string[] = [];
    for (const text of fields) {
      const bytes = Buffer.from(text);
      castText(text, cell);
      const expected = written(writeCell(out, 0, cell));
      const got = written(writeCastField(out, 0, bytes, 0, bytes.length));
      if (got !== expected) wrong.push(`${text}: ${got} instead of ${expected}`);
      const address = written(writeAddressField(out, 0, bytes, 0, bytes.length));
      if (address !== expected) wrong.push(`${text}: ${address} instead of ${expected} (address)`);
    }
    expect(wrong).toEqual([]);
  });

  it('castField = castText', () => {
    const fromBytes = new PyCell();
    const fromText = new PyCell();
    for (const text of fields) {
      const bytes = Buffer.from(text);
      castField(bytes, 0, bytes.length, fromBytes);
      castText(text, fromText);
      expect(
        [fromBytes.kind, fromBytes.num, fromBytes.big, fromBytes.kind === 3 ? fromBytes.text : ''],
        text,
      ).toEqual([fromText.kind, fromText.num, fromText.big, fromText.kind === 3 ? fromText.text : '']);
    }
  });

  it('truncatedThousandths = int(round(float(text), 3) / 1000) whenever it answers', () => {
    let answered = 0;
    const wrong: string[] = [];
    for (const text of fields) {
      const bytes = Buffer.from(text);
      const fast = truncatedThousandths(bytes, 0, bytes.length);
      if (Number.isNaN(fast)) continue;
      answered++;
      const integer = pyParseInt(text);
      const value = integer !== undefined ? Number(integer) : pyRound(pyParseFloat(text) as number, 3);
      const exact = Math.trunc(value / 1000) + 0;
      if (fast + 0 !== exact) wrong.push(`${text}: ${fast} instead of ${exact}`);
    }
    expect(wrong).toEqual([]);
    expect(answered).toBeGreaterThan(fields.length / 2);
  });

  it('writeRoundedValue = repr of round(x, 2) and round(x, 3)', () => {
    const wrong: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const x = (random() - 0.5) * 10 ** (int(24) - 8);
      for (const places of [2, 3]) {
        const rounded = pyRound(x, places);
        const got = written(writeRoundedValue(out, 0, rounded, places));
        if (got !== pyFloatRepr(rounded)) wrong.push(`round(${x}, ${places}): ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
