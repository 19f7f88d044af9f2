/**
 * Number formatting that matches C's printf as Perl uses it, where JavaScript's own formatting differs.
 *
 * `%.0f` in glibc rounds the exact binary value to nearest, ties to even: 12.5 → "12", 13.5 → "14",
 * 2.675 stays below the tie. `Number.prototype.toFixed` rounds ties away from zero, so it is not used.
 */

/** `sprintf('%.0f', value)`. */
export function formatFixed0(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const floor = Math.floor(value);
  const fraction = value - floor; // exact for doubles below 2^52; above that fraction is 0
  let rounded: number;
  if (fraction > 0.5) rounded = floor + 1;
  else if (fraction < 0.5) rounded = floor;
  else rounded = floor % 2 === 0 ? floor : floor + 1;
  if (rounded === 0 && (value < 0 || Object.is(value, -0))) return '-0';
  // Above 2^53 String() would switch to exponent form only past 1e21; printf prints every digit.
  return Math.abs(rounded) < 1e21 ? String(rounded) : BigInt(rounded).toString();
}

/** `sprintf('%6.0f', value)` and friends: right-aligned in `width` columns. */
export function formatFixed0Width(value: number, width: number): string {
  return formatFixed0(value).padStart(width, ' ');
}
