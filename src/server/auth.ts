/**
 * Access control of `netledger serve`: a bearer token and/or a users file with scrypt-hashed passwords,
 * cookie sessions after a login, and a per-client limit on failed logins.
 *
 * Users file: one user per line, `name:role:scrypt$N$r$p$<salt base64>$<hash base64>`; `#` comments and
 * blank lines are ignored. Roles: `read` (every GET) and `admin` (also the POST routes).
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, NetledgerError, fromFsError } from '../model/errors.js';

export type Role = 'read' | 'admin';
export const ROLES: readonly Role[] = ['read', 'admin'];

export interface UserEntry {
  name: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash`. */
  hash: string;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 };

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, keyLength, options, (error, key) =>
      error === null ? resolve(key) : reject(error),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length === 0) return false;
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

/** One users-file line for `name` (what `netledger hash-password` prints). */
export async function userLine(name: string, role: Role, password: string): Promise<string> {
  checkUserName(name);
  return `${name}:${role}:${await hashPassword(password)}`;
}

function checkUserName(name: string): void {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name))
    throw new ConfigError(`invalid user name '${name}': letters, digits, '.', '_', '@', '-' only`);
}

export function parseUsers(text: string, file: string): Map<string, UserEntry> {
  const users = new Map<string, UserEntry>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([^:]+):([^:]+):(scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+)$/.exec(line);
    if (match === null)
      throw new ConfigError('expected name:role:scrypt$N$r$p$salt$hash', { file, line: index + 1 });
    const [, name, role, hash] = match as unknown as [string, string, string, string];
    if (!ROLES.includes(role as Role))
      throw new ConfigError(`unknown role '${role}': expected read or admin`, { file, line: index + 1 });
    if (users.has(name)) throw new ConfigError(`user '${name}' listed twice`, { file, line: index + 1 });
    users.set(name, { name, role: role as Role, hash });
  });
  return users;
}

export async function loadUsers(file: string): Promise<Map<string, UserEntry>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fromFsError(error, file);
  }
  return parseUsers(text, file);
}

export interface Session {
  user: string;
  role: Role;
  expiresAt: number;
}

export interface AuthOptions {
  /** Bearer token (`Authorization: Bearer T`), granting the read role (peers use it). */
  token?: string;
  users?: Map<string, UserEntry>;
  /** Session lifetime, seconds (default 12 h). */
  sessionSeconds?: number;
  /** Failed logins allowed per client address within `failureWindowSeconds` (default 5 in 15 min). */
  maxFailures?: number;
  failureWindowSeconds?: number;
  now?: () => number;
}

export const SESSION_COOKIE = 'nl_session';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Who is asking: the sessions in memory, the token, the users, and the failed-login counts per client. */
export class Authenticator {
  readonly enabled: boolean;
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: AuthOptions) {
    this.enabled = options.token !== undefined || (options.users?.size ?? 0) > 0;
    this.now = options.now ?? Date.now;
  }

  /** How long a new session lives, seconds: the cookie's Max-Age. */
  get sessionSeconds(): number {
    return this.options.sessionSeconds ?? 43_200;
  }

  /** Refuses a client that failed too often lately (429). */
  checkRate(client: string): void {
    const windowMs = (this.options.failureWindowSeconds ?? 900) * 1000;
    const recent = (this.failures.get(client) ?? []).filter((at) => at > this.now() - windowMs);
    if (recent.length === 0) this.failures.delete(client);
    else this.failures.set(client, recent);
    if (recent.length >= (this.options.maxFailures ?? 5)) {
      const retry = Math.ceil((recent[0]! + windowMs - this.now()) / 1000);
      throw new NetledgerError(
        'NL_ERR_RATE_LIMITED',
        `too many failed logins from ${client}; try again in ${retry} s`,
      );
    }
  }

  private fail(client: string, message: string): never {
    // Many clients failing once each must not grow the table without bound: forget those outside the window.
    if (this.failures.size >= 10_000) {
      const since = this.now() - (this.options.failureWindowSeconds ?? 900) * 1000;
      for (const [other, times] of this.failures)
        if (times.every((at) => at <= since)) this.failures.delete(other);
    }
    this.failures.set(client, [...(this.failures.get(client) ?? []), this.now()]);
    throw new NetledgerError('NL_ERR_AUTH', message);
  }

  /** Checks a user's password (or the token, given as password with user `token`); returns a session id. */
  async login(client: string, user: string, password: string): Promise<{ id: string; session: Session }> {
    this.checkRate(client);
    let role: Role | undefined;
    const entry = this.options.users?.get(user);
    if (entry !== undefined) {
      if (await verifyPassword(password, entry.hash)) role = entry.role;
    } else if (
      user === 'token' &&
      this.options.token !== undefined &&
      sameSecret(password, this.options.token)
    ) {
      role = 'read';
    }
    if (role === undefined) this.fail(client, 'wrong user name or password');
    const id = randomBytes(32).toString('base64url');
    const session = { user, role, expiresAt: this.now() + this.sessionSeconds * 1000 };
    for (const [other, old] of this.sessions) if (old.expiresAt <= this.now()) this.sessions.delete(other);
    this.sessions.set(id, session);
    return { id, session };
  }

  logout(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  /**
   * The session of a request, from its bearer token or session cookie; undefined when neither is given.
   * A wrong token or an unknown session is an error (401) and a wrong token counts as a failed login.
   */
  identify(
    client: string,
    authorization: string | undefined,
    sessionId: string | undefined,
  ): Session | undefined {
    if (!this.enabled) return { user: 'anonymous', role: 'admin', expiresAt: Infinity };
    if (authorization !== undefined) {
      this.checkRate(client);
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (match === null || this.options.token === undefined || !sameSecret(match[1]!, this.options.token))
        this.fail(client, 'invalid bearer token');
      return { user: 'token', role: 'read', expiresAt: Infinity };
    }
    if (sessionId === undefined) return undefined;
    const session = this.sessions.get(sessionId);
    if (session === undefined || session.expiresAt <= this.now()) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return session;
  }
}

/** The value of one cookie in a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
