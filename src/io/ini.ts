/**
 * A small INI reader with the rules of Python's `configparser.ConfigParser` that legacy config files rely
 * on: `[section]` headers, `key = value` or `key: value` (first delimiter wins), keys lowercased, values
 * stripped, whole-line `#`/`;` comments, indented continuation lines, a `[DEFAULT]` section inherited by
 * every other one, and `%(key)s` interpolation with `%%` for a literal percent sign. Nothing is evaluated.
 */
import { ConfigError } from '../model/errors.js';

export class IniDocument {
  constructor(
    /** Section name → (lowercased key → raw value). */
    readonly sections: ReadonlyMap<string, ReadonlyMap<string, string>>,
    readonly defaults: ReadonlyMap<string, string>,
    readonly file: string,
  ) {}

  hasSection(section: string): boolean {
    return this.sections.has(section);
  }

  /** Keys of a section, DEFAULT keys included (as `config.options(section)`). */
  keys(section: string): string[] {
    const own = this.sections.get(section);
    if (own === undefined) return [];
    return [...new Set([...own.keys(), ...this.defaults.keys()])];
  }

  /** The interpolated value, or undefined when the key (or the section) is absent. */
  get(section: string, key: string): string | undefined {
    const raw = this.raw(section, key.toLowerCase());
    return raw === undefined ? undefined : this.interpolate(section, raw, 0);
  }

  private raw(section: string, key: string): string | undefined {
    const own = this.sections.get(section);
    if (own === undefined) return undefined;
    return own.get(key) ?? this.defaults.get(key);
  }

  private interpolate(section: string, value: string, depth: number): string {
    if (!value.includes('%')) return value;
    if (depth > 10) throw new ConfigError(`interpolation too deep in [${section}]`, { file: this.file });
    return value.replace(/%(%|\(([^)]*)\)s|.?)/g, (match, what: string, name: string | undefined) => {
      if (what === '%') return '%';
      if (name !== undefined) {
        const referenced = this.raw(section, name.toLowerCase());
        if (referenced === undefined) {
          throw new ConfigError(`[${section}] refers to %(${name})s, which is not set`, { file: this.file });
        }
        return this.interpolate(section, referenced, depth + 1);
      }
      throw new ConfigError(`[${section}]: '%' must be followed by '%' or '(name)s', found '${match}'`, {
        file: this.file,
      });
    });
  }
}

/** Python's `getboolean`: 1/yes/true/on and 0/no/false/off, any case; undefined otherwise. */
export function parseIniBoolean(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(lower)) return true;
  if (['0', 'no', 'false', 'off'].includes(lower)) return false;
  return undefined;
}

const SECTION = /^\[(.+)\]/;

/** Parses INI text; a malformed line is a ConfigError naming the file and line. */
export function parseIni(text: string, file = '<config>'): IniDocument {
  const sections = new Map<string, Map<string, string>>();
  const defaults = new Map<string, string>();
  let current: Map<string, string> | undefined;
  let currentName = '';
  let lastKey: string | undefined;
  let lastIndent = 0;
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((line, index) => {
    const position = { file, line: index + 1 };
    const stripped = line.trim();
    const indent = line.length - line.trimStart().length;
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) {
      if (stripped === '') lastKey = undefined;
      return;
    }
    if (current !== undefined && lastKey !== undefined && indent > lastIndent) {
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${stripped}`);
      return;
    }
    const header = SECTION.exec(stripped);
    if (header) {
      currentName = header[1] ?? '';
      if (currentName === 'DEFAULT') current = defaults;
      else {
        if (sections.has(currentName)) {
          throw new ConfigError(`section [${currentName}] appears twice`, position);
        }
        current = new Map();
        sections.set(currentName, current);
      }
      lastKey = undefined;
      return;
    }
    if (current === undefined) throw new ConfigError('expected a [section] header first', position);
    const delimiter = stripped.search(/[=:]/);
    if (delimiter <= 0) throw new ConfigError(`expected "key = value", found "${stripped}"`, position);
    const key = stripped.slice(0, delimiter).trim().toLowerCase();
    if (current.has(key)) throw new ConfigError(`[${currentName}] sets "${key}" twice`, position);
    current.set(key, stripped.slice(delimiter + 1).trim());
    lastKey = key;
    lastIndent = indent;
  });
  return new IniDocument(sections, defaults, file);
}
