/**
 * `netledger serve` (web UI and HTTP API) and `netledger hash-password` (a users-file line). Thin: parse
 * options, call src/server.
 */
import { type Command, Option } from 'commander';
import { resolveLedgerLocation } from '../../ledger/open.js';
import { UsageError } from '../../model/errors.js';
import { parseDuration } from '../../model/time.js';
import { parseHostPort } from '../../sources/sniffer/dump-request.js';
import { ROLES, userLine, type Role } from '../../server/auth.js';
import type { Peer } from '../../server/peers.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface ServeOptions {
  ledger?: string;
  listen: string;
  stats?: string[];
  fwctl?: string[];
  snifferUpdate?: string;
  sensorPid?: string;
  token?: string;
  users?: string;
  peer?: string[];
  peerToken?: string[];
  peerCommand?: string[];
  peerTimeout: string;
  cacheDir?: string;
  refresh: string;
  lockTimeout: string;
  assets?: string;
  utc?: boolean;
  insecureNoAuth?: boolean;
}

function seconds(text: string, flag: string): number {
  const value = parseDuration(text);
  if (!(value > 0)) throw new UsageError(`invalid ${flag} '${text}': expected a positive duration`);
  return value;
}

/** Pairs `--peer` URLs with `--peer-token`s: one token for all, or one per peer in order. */
export function pairPeers(urls: string[], tokens: string[], commands: string[]): Peer[] {
  if (tokens.length > 1 && tokens.length !== urls.length)
    throw new UsageError(
      `${urls.length} --peer but ${tokens.length} --peer-token: give one token, or one per peer`,
    );
  const peers: Peer[] = urls.map((url, index) => {
    if (!/^https?:\/\/[^/]+\/?$/.test(url))
      throw new UsageError(`invalid --peer '${url}': expected http(s)://host:port`);
    const token = tokens.length === 1 ? tokens[0] : tokens[index];
    return token === undefined ? { kind: 'http', url } : { kind: 'http', url, token };
  });
  for (const template of commands) peers.push({ kind: 'command', template });
  return peers;
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('web UI and JSON API over the ledger and Sniffer status files (see docs/server.md)')
    .option(
      '--ledger <path>',
      'ledger file or clickhouse://host:8123/db (default: $NETLEDGER_LEDGER or ./netledger.duckdb)',
    )
    .option('--listen <host:port>', 'address to bind (loopback unless told otherwise)', '127.0.0.1:8080')
    .option('--stats <file>', 'a Sniffer status file of this host (repeatable)', collect)
    .option('--sniffer-update <host:port>', "the sensor's dump listener, for POST /api/sniffer/dump (admin)")
    .option('--sensor-pid <file>', "the sensor's pid file, for /api/sensor/status")
    .option('--fwctl <file>', 'an fwctl accounting file (repeatable; merged in time order)', collect)
    .option('--token <token>', 'bearer token granting the read role (default: $NETLEDGER_TOKEN)')
    .option('--users <file>', 'users file: name:role:scrypt$... lines (netledger hash-password)')
    .option('--peer <url>', 'another netledger serve whose status is merged in (repeatable)', collect)
    .option('--peer-token <token>', 'token for --peer: one for all, or one per --peer in order', collect)
    .option(
      '--peer-command <template>',
      "command that copies a peer's status file to {dest} (repeatable)",
      collect,
    )
    .option('--peer-timeout <duration>', 'longest wait for one peer', '5s')
    .option('--cache-dir <dir>', 'report cache and peer copies (default: a directory under $TMPDIR)')
    .option('--refresh <duration>', 'maximum age of a cached report', '300s')
    .option('--lock-timeout <duration>', 'longest wait for the cache lock', '15s')
    .option('--assets <dir>', 'built pages (default: dist/web of this package)')
    .option('--utc', 'text reports in UTC instead of local time')
    .addOption(
      new Option('--insecure-no-auth', 'allow a non-loopback --listen without --token/--users').hideHelp(),
    )
    .action(async (options: ServeOptions) => {
      // Loaded here, not at the top: the server (Fastify) is a quarter of a second that no other command needs.
      const { parseListen, startServer } = await import('../../server/serve.js');
      const { host, port } = parseListen(options.listen);
      const token = options.token ?? process.env.NETLEDGER_TOKEN;
      const { app, url } = await startServer({
        ledger: resolveLedgerLocation(options.ledger),
        host,
        port,
        stats: options.stats ?? [],
        fwctl: options.fwctl ?? [],
        ...(options.sensorPid === undefined ? {} : { sensorPidFile: options.sensorPid }),
        ...(options.snifferUpdate === undefined
          ? {}
          : { snifferUpdate: parseHostPort(options.snifferUpdate) }),
        ...(token === undefined || token === '' ? {} : { token }),
        ...(options.users === undefined ? {} : { usersFile: options.users }),
        peers: pairPeers(options.peer ?? [], options.peerToken ?? [], options.peerCommand ?? []),
        peerTimeoutSeconds: seconds(options.peerTimeout, '--peer-timeout'),
        ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
        refreshSeconds: seconds(options.refresh, '--refresh'),
        lockSeconds: seconds(options.lockTimeout, '--lock-timeout'),
        ...(options.assets === undefined ? {} : { assetsDir: options.assets }),
        utc: options.utc === true,
        insecure: options.insecureNoAuth === true,
      });
      process.stderr.write(`netledger serve: listening on ${url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await app.close();
    });

  program
    .command('hash-password')
    .description('print a users-file line for serve --users; the password is read from stdin')
    .argument('<user>', 'user name')
    .addOption(new Option('--role <role>', 'read or admin').choices(ROLES).default('read'))
    .action(async (user: string, options: { role: Role }) => {
      const password = await readStdinLine();
      if (password.length < 8) throw new UsageError('password on stdin is shorter than 8 characters');
      process.stdout.write(`${await userLine(user, options.role, password)}\n`);
    });
}
