/**
 * ra-sum's cache-name formats (`-C`, `-A`): printf-like patterns that name the files where the accounting
 * state lives, so that every customer MAC (or every month…) can have its own.
 *
 * `%%` %, `%y` 2-digit year, `%Y` 4-digit year, `%M` 2-digit month, `%l` month as `Jan`, `%м` month in
 * Russian (`янв`), `%d` day of month, `%D` weekday as `Mon`, `%Д` weekday in Russian (`Пн`), `%h` hour,
 * `%m` minute, `%s` second (local time of the run), `%e` the `-e` MAC as `0011:2233:4455`, `%E` as
 * `00:11:22:33:44:55`, `%r` the `-r` file name, where each `-` right after it drops one path component
 * from the right (`%r-` is the file's directory). Backslash escapes `\0 \b \n \r \t \v \f \\ \' \"` as in
 * printf(3).
 */
import { UsageError } from '../../model/errors.js';
import { formatMac, formatMacGroupsOfFour } from '../../model/mac.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_RU = ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAYS_RU = ['Вс', 'Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб'];
const ESCAPES: Record<string, string> = {
  '0': '\0',
  b: '\b',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  f: '\f',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** What `%r` stands for when the input is stdin: `%r-` then names the current directory. */
export const STDIN_INPUT_NAME = './-';

export interface CacheNameContext {
  mac: number;
  /** The `-r` argument; undefined for stdin. */
  inputFile: string | undefined;
  now: Date;
}

/** Drops `count` path components from the right of `path` (`a/b/c` - 1 = `a/b`; `c` - 1 = `.`). */
function trimComponents(path: string, count: number): string {
  let result = path;
  for (let index = 0; index < count; index++) {
    const trimmed = result.replace(/\/+$/, '');
    const slash = trimmed.lastIndexOf('/');
    result = slash < 0 ? '.' : slash === 0 ? '/' : trimmed.slice(0, slash);
  }
  return result;
}

const two = (value: number): string => String(value).padStart(2, '0');

/** Expands a cache-name format. Unknown `%x` is a UsageError. */
export function expandCacheName(format: string, context: CacheNameContext): string {
  const now = context.now;
  let out = '';
  for (let index = 0; index < format.length; index++) {
    const char = format[index]!;
    if (char === '\\' && index + 1 < format.length) {
      const escaped = ESCAPES[format[index + 1]!];
      if (escaped !== undefined) {
        out += escaped;
        index++;
        continue;
      }
    }
    if (char !== '%') {
      out += char;
      continue;
    }
    const spec = format[++index];
    switch (spec) {
      case '%':
        out += '%';
        break;
      case 'y':
        out += two(now.getFullYear() % 100);
        break;
      case 'Y':
        out += String(now.getFullYear());
        break;
      case 'M':
        out += two(now.getMonth() + 1);
        break;
      case 'l':
        out += MONTHS[now.getMonth()];
        break;
      case 'м':
        out += MONTHS_RU[now.getMonth()];
        break;
      case 'd':
        out += two(now.getDate());
        break;
      case 'D':
        out += DAYS[now.getDay()];
        break;
      case 'Д':
        out += DAYS_RU[now.getDay()];
        break;
      case 'h':
        out += two(now.getHours());
        break;
      case 'm':
        out += two(now.getMinutes());
        break;
      case 's':
        out += two(now.getSeconds());
        break;
      case 'e':
        out += formatMacGroupsOfFour(context.mac);
        break;
      case 'E':
        out += formatMac(context.mac);
        break;
      case 'r': {
        let dashes = 0;
        while (format[index + 1] === '-') {
          dashes++;
          index++;
        }
        out += trimComponents(context.inputFile ?? STDIN_INPUT_NAME, dashes);
        break;
      }
      default:
        throw new UsageError(
          spec === undefined
            ? `cache name format '${format}' ends with a lone %`
            : `unknown conversion %${spec} in cache name format '${format}'`,
        );
    }
  }
  return out;
}
