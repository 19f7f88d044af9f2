/**
 * Python value semantics a byte-exact port needs: `round(x, n)` on binary doubles, `repr(float)`,
 * `int()`/`float()` parsing of text, and the string escaping of `json.dumps(..., ensure_ascii=True)`.
 *
 * Python's `round(x, n)` rounds the exact binary value of `x` to n decimals and breaks exact ties to
 * even (`round(0.125, 2) == 0.12`, `round(2.675, 2) == 2.67` because 2.675 is really 2.67499999…).
 * `Number.prototype.toFixed` also rounds the exact binary value but breaks ties away from zero, so only
 * the exact ties need handling: a double is an exact tie at n decimals iff it is an odd multiple of
 * 2^-(n+1) (its decimal expansion then ends in a 5 at digit n+1).
 */

const MAX_EXACT_TIE = 2 ** 53;
const POWERS_OF_TEN = [1, 10, 100, 1000, 10000, 100000, 1000000];

/** Python's `round(x, digits)` for a float `x` and 0 ≤ digits ≤ 15 (the result is a float). */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  // Fast path: the product x·10^d is within |x·10^d|·2^-53 of the exact one, so a fraction farther than
  // that from one half rounds as the exact value does (a product that crossed an integer rounds to it
  // either way), and k / 10^d (k < 2^53) is the double nearest the decimal k·10^-d, as Python returns.
  const power = POWERS_OF_TEN[digits];
  if (power !== undefined) {
    const scaled = x * power;
    if (scaled < 2 ** 51 && scaled > -(2 ** 51)) {
      const below = Math.floor(scaled);
      const fraction = scaled - below;
      const margin = (scaled < 0 ? -scaled : scaled) * 4.5e-16 + 1e-9;
      if (fraction < 0.5 - margin || fraction > 0.5 + margin) {
        const rounded = (fraction > 0.5 ? below + 1 : below) / power;
        return rounded === 0 && x < 0 ? -0 : rounded;
      }
    }
  }
  // Every double of magnitude ≥ 2^52 is an integer: nothing to round at digits ≥ 0.
  if (Math.abs(x) >= 2 ** 52) return x;
  const scaled = x * 2 ** (digits + 1);
  if (Number.isInteger(scaled) && Math.abs(scaled) < MAX_EXACT_TIE && Math.abs(scaled % 2) === 1) {
    return roundTieToEven(x, digits);
  }
  const rounded = Number(x.toFixed(digits));
  // Python keeps the sign of a negative value that rounds to zero (-0.0).
  return rounded === 0 && x < 0 ? -0 : rounded;
}

function roundTieToEven(x: number, digits: number): number {
  // |x| = t / 2^(digits+1) with t an odd integer below 2^53, so |x|·10^digits = t·5^digits / 2 = k + 0.5
  // exactly: k in bigint (a double product would round for large x), then the even one of k and k + 1.
  const t = BigInt(Math.abs(x) * 2 ** (digits + 1));
  const below = (t * 5n ** BigInt(digits)) >> 1n;
  const chosen = below % 2n === 0n ? below : below + 1n;
  let text = chosen.toString().padStart(digits + 1, '0');
  if (digits > 0) text = `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`;
  const value = Number(text);
  return x < 0 ? -value : value;
}

/** Python's `repr(float)`: shortest round-trip digits, fixed notation for 1e-4 ≤ |x| < 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const text = String(x);
    if (!text.includes('e')) return text.includes('.') ? text : `${text}.0`;
  }
  // General case from the shortest digits and the decimal exponent.
  const exponential = magnitude.toExponential();
  const ePos = exponential.indexOf('e');
  const digits = exponential.slice(0, ePos).replace('.', '');
  const exponent = Number(exponential.slice(ePos + 1));
  const sign = x < 0 ? '-' : '';
  const decimalPoint = exponent + 1;
  if (decimalPoint > -4 && decimalPoint <= 16) {
    if (decimalPoint <= 0) return `${sign}0.${'0'.repeat(-decimalPoint)}${digits}`;
    if (digits.length <= decimalPoint) return `${sign}${digits}${'0'.repeat(decimalPoint - digits.length)}.0`;
    return `${sign}${digits.slice(0, decimalPoint)}.${digits.slice(decimalPoint)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponentText = String(Math.abs(exponent)).padStart(2, '0');
  return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${exponentText}`;
}

/** A Python int: a JS number while it is exact, a bigint beyond 2^53. */
export type PyInt = number | bigint;

/** `str(int)` of a Python int, also for integral doubles beyond 1e21 that JS would print in e-notation. */
export function pyIntRepr(value: PyInt): string {
  if (typeof value === 'bigint') return value.toString();
  if (Math.abs(value) < 1e21) return Object.is(value, -0) ? '0' : String(value);
  return BigInt(value).toString();
}

const INT_PATTERN = /^[+-]?\d(?:_?\d)*$/;
const FLOAT_PATTERN =
  /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$|^[+-]?(?:inf|infinity|nan)$/i;

/** Python's `int(text)` (ASCII digits): undefined when Python would raise ValueError. */
export function pyParseInt(text: string): PyInt | undefined {
  if (isPlainDigits(text)) return Number(text);
  const trimmed = text.trim();
  if (!INT_PATTERN.test(trimmed)) return undefined;
  const digits = trimmed.includes('_') ? trimmed.replace(/_/g, '') : trimmed;
  // `+ 0` turns -0 into 0: Python ints have no negative zero.
  if (digits.length <= 15) return Number(digits) + 0;
  const big = BigInt(digits);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(big)
    : big;
}

/** 1 to 15 ASCII digits: the common case, exactly a safe integer. */
function isPlainDigits(text: string): boolean {
  const length = text.length;
  if (length === 0 || length > 15) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

const PLAIN_DECIMAL = /^-?\d+\.\d+$/;

/** Python's `float(text)`: undefined when Python would raise ValueError. */
export function pyParseFloat(text: string): number | undefined {
  // tstat's `%f` numbers: JS and Python read plain decimals alike (correctly rounded).
  if (PLAIN_DECIMAL.test(text)) return Number(text);
  const trimmed = text.trim();
  if (!FLOAT_PATTERN.test(trimmed)) return undefined;
  const lower = trimmed.toLowerCase().replace(/_/g, '');
  const unsigned = lower.replace(/^[+-]/, '');
  const negative = lower.startsWith('-');
  if (unsigned === 'nan') return NaN;
  if (unsigned === 'inf' || unsigned === 'infinity') return negative ? -Infinity : Infinity;
  return Number(lower);
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

// Characters json.dumps(ensure_ascii=True) escapes: quote, backslash, controls, and everything ≥ 0x7f.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE_GLOBAL = /["\\\u0000-\u001f\u007f-\uffff]/g;

/** A JSON string literal exactly as Python's `json.dumps(text)` (ensure_ascii=True) writes it. */
export function pyJsonString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  return `"${text.replace(
    NEEDS_ESCAPE_GLOBAL,
    (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )}"`;
}
