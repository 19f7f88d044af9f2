/**
 * Ethernet MAC addresses as 48-bit integers (exact in a JS number): parse the spellings users type, format
 * them the ways the legacy tools print them.
 */

const COLON_OR_DASH =
  /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/i;
const DOTTED = /^([0-9a-f]{4})([.:])([0-9a-f]{4})\2([0-9a-f]{4})$/i;
const BARE = /^[0-9a-f]{12}$/i;

/**
 * Parses `00:11:22:33:44:55`, `00-11-22-33-44-55`, `0011.2233.4455`, `0011:2233:4455` (ra-sum's `%e`
 * form) or `001122334455`, in any case, into a 48-bit number; undefined for anything else.
 *
 * @example parseMac('0011.2233.4455') === 0x001122334455
 */
export function parseMac(text: string): number | undefined {
  const trimmed = text.trim();
  let hex: string;
  const groups = COLON_OR_DASH.exec(trimmed);
  if (groups) {
    hex = [groups[1], groups[3], groups[4], groups[5], groups[6], groups[7]]
      .map((part) => part!.padStart(2, '0'))
      .join('');
  } else {
    const dotted = DOTTED.exec(trimmed);
    if (dotted) hex = `${dotted[1]}${dotted[3]}${dotted[4]}`;
    else if (BARE.test(trimmed)) hex = trimmed;
    else return undefined;
  }
  return parseInt(hex, 16);
}

function hex12(mac: number): string {
  return mac.toString(16).padStart(12, '0');
}

/** `00:11:22:33:44:55` (lower case, as `ra` prints it). */
export function formatMac(mac: number): string {
  const hex = hex12(mac);
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`;
}

/** `0011:2233:4455`: three groups of four hex digits (ra-sum's `%e`). */
export function formatMacGroupsOfFour(mac: number): string {
  const hex = hex12(mac);
  return `${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 12)}`;
}
