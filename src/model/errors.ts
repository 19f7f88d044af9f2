/**
 * The one error catalogue of netledger.
 *
 * Every error a user can meet has a stable code, a CLI exit code and an HTTP status. Parsers attach a
 * {@link Position} so the message can name the file and the line, column or byte offset that was wrong.
 */

/** Where in an input something went wrong. Lines and columns are 1-based; offsets are 0-based bytes. */
export interface Position {
  file?: string;
  line?: number;
  column?: number;
  offset?: number;
}

/** Code → exit code and HTTP status. Exit codes follow sysexits(3) where one fits. */
export const ERROR_CATALOGUE = {
  NL_ERR_USAGE: { exitCode: 64, httpStatus: 400, summary: 'bad command-line usage or option value' },
  NL_ERR_PARSE: { exitCode: 65, httpStatus: 422, summary: 'input is not in the expected format' },
  NL_ERR_NO_INPUT: { exitCode: 66, httpStatus: 404, summary: 'an input file is missing or unreadable' },
  NL_ERR_EMPTY_INPUT: { exitCode: 65, httpStatus: 422, summary: 'an input file holds no data' },
  NL_ERR_CONFIG: { exitCode: 78, httpStatus: 500, summary: 'a configuration file is invalid' },
  NL_ERR_IO: { exitCode: 74, httpStatus: 500, summary: 'reading or writing a file failed' },
  NL_ERR_TIMEOUT: { exitCode: 75, httpStatus: 504, summary: 'an operation timed out' },
  NL_ERR_NETWORK: { exitCode: 69, httpStatus: 502, summary: 'a network peer or service failed' },
  NL_ERR_AUTH: { exitCode: 77, httpStatus: 401, summary: 'authentication failed' },
  NL_ERR_FORBIDDEN: { exitCode: 77, httpStatus: 403, summary: 'the role of this user does not allow it' },
  NL_ERR_RATE_LIMITED: { exitCode: 75, httpStatus: 429, summary: 'too many failed logins, try later' },
  NL_ERR_NOT_FOUND: { exitCode: 64, httpStatus: 404, summary: 'no such route or page' },
  NL_ERR_MISSING_TOOL: { exitCode: 69, httpStatus: 500, summary: 'an external program is not installed' },
  NL_ERR_LOCKED: { exitCode: 75, httpStatus: 423, summary: 'a resource is locked by another process' },
  NL_ERR_INTERNAL: { exitCode: 70, httpStatus: 500, summary: 'a bug in netledger' },
} as const satisfies Record<string, { exitCode: number; httpStatus: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Formats a position as `file:line:column`, `file@offset` or just `file`. */
export function formatPosition(position: Position): string {
  const file = position.file ?? '<input>';
  if (position.line !== undefined) {
    return position.column !== undefined
      ? `${file}:${position.line}:${position.column}`
      : `${file}:${position.line}`;
  }
  if (position.offset !== undefined) return `${file}: byte offset ${position.offset}`;
  return file;
}

/** Base class of every error netledger raises on purpose. */
export class NetledgerError extends Error {
  readonly code: ErrorCode;
  readonly position: Position | undefined;

  constructor(code: ErrorCode, message: string, options: { position?: Position; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.position = options.position;
  }

  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exitCode;
  }

  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].httpStatus;
  }

  /** One line for a terminal: the message, then where it happened. */
  describe(): string {
    if (this.position === undefined) return this.message;
    return `${this.message} (${formatPosition(this.position)})`;
  }
}

/** The input does not follow its format. Always carries a position. */
export class ParseError extends NetledgerError {
  constructor(message: string, position: Position, cause?: unknown) {
    super('NL_ERR_PARSE', message, { position, cause });
  }
}

export class UsageError extends NetledgerError {
  constructor(message: string) {
    super('NL_ERR_USAGE', message);
  }
}

export class ConfigError extends NetledgerError {
  constructor(message: string, position?: Position) {
    super('NL_ERR_CONFIG', message, position === undefined ? {} : { position });
  }
}

export class InputError extends NetledgerError {
  constructor(message: string, file: string, cause?: unknown) {
    super('NL_ERR_NO_INPUT', message, { position: { file }, cause });
  }
}

export class EmptyInputError extends NetledgerError {
  constructor(file: string) {
    super('NL_ERR_EMPTY_INPUT', 'the file is empty', { position: { file } });
  }
}

export class IoError extends NetledgerError {
  constructor(message: string, file: string, cause?: unknown) {
    super('NL_ERR_IO', message, { position: { file }, cause });
  }
}

export class TimeoutError extends NetledgerError {
  constructor(message: string) {
    super('NL_ERR_TIMEOUT', message);
  }
}

export class NetworkError extends NetledgerError {
  constructor(message: string, cause?: unknown) {
    super('NL_ERR_NETWORK', message, { cause });
  }
}

export class MissingToolError extends NetledgerError {
  constructor(tool: string, debianPackage: string) {
    super('NL_ERR_MISSING_TOOL', `${tool} is not installed (Debian package: ${debianPackage})`);
  }
}

/** Turns a Node fs error on `file` into a NetledgerError with a message a user understands. */
export function fromFsError(error: unknown, file: string): NetledgerError {
  if (error instanceof NetledgerError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new InputError('no such file', file, error);
    case 'EACCES':
    case 'EPERM':
      return new InputError('permission denied', file, error);
    case 'EISDIR':
      return new InputError('is a directory, expected a file', file, error);
    case 'ENOSPC':
      return new IoError('no space left on device', file, error);
    default:
      return new IoError(error instanceof Error ? error.message : String(error), file, error);
  }
}
