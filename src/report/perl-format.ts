/**
 * Number formatting that matches C's printf as Perl uses it, where JavaScript's own formatting differs.
 *
 * `%.0f` in glibc rounds the exact binary value to nearest, ties to even: 12.5 → "12", 13.5 → "14",
 * 2.675 stays below the tie. `Number.prototype.toFixed` rounds ties away from zero, so it is not used.
 */

/** A finite value rounded to the nearest integer, ties to even, as `%.0f` rounds. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor; // exact for doubles below 2^52; above that fraction is 0
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** `sprintf('%.0f', value)`. */
export function formatFixed0(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const rounded = roundHalfEven(value);
  if (rounded === 0 && (value < 0 || Object.is(value, -0))) return '-0';
  // Above 2^53 String() would switch to exponent form only past 1e21; printf prints every digit.
  return Math.abs(rounded) < 1e21 ? String(rounded) : BigInt(rounded).toString();
}

/** `sprintf('%6.0f', value)` and friends: right-aligned in `width` columns. */
export function formatFixed0Width(value: number, width: number): string {
  return formatFixed0(value).padStart(width, ' ');
}

/**
 * `sprintf('%*.0f', width, value)` written as ASCII into `out` at `at`; returns the new end. The same text
 * as formatFixed0Width, without making a string for the common case (a non-negative value below 2^53).
 */
export function writeFixed0(out: Uint8Array, at: number, value: number, width = 0): number {
  const rounded = value >= 0 && value < 2 ** 53 ? roundHalfEven(value) : -1;
  if (rounded < 0 || Object.is(value, -0)) {
    const text = formatFixed0Width(value, width);
    for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
    return at;
  }
  let digits = 1;
  for (let rest = rounded; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (let pad = width - digits; pad > 0; pad--) out[at++] = 0x20;
  let rest = rounded;
  for (let i = at + digits - 1; i >= at; i--) {
    out[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}
