/**
 * Starting the server from settings: opens nothing until asked (the ledger opens on first use), binds
 * loopback unless told otherwise, and refuses a non-loopback address without access control.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { openLedger } from '../ledger/open.js';
import { UsageError } from '../model/errors.js';
import { Authenticator, loadUsers, type AuthOptions } from './auth.js';
import { createServer } from './app.js';
import type { Peer } from './peers.js';

export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export interface ServeSettings {
  ledger?: string;
  host: string;
  port: number;
  stats: string[];
  /** The sensor's dump listener, for POST /api/sniffer/dump. */
  snifferUpdate?: { host: string; port: number };
  /** fwctl accounting files. */
  fwctl?: string[];
  /** The sensor's pid file, for /api/sensor/status. */
  sensorPidFile?: string;
  token?: string;
  usersFile?: string;
  peers: Peer[];
  peerTimeoutSeconds: number;
  cacheDir?: string;
  refreshSeconds: number;
  lockSeconds: number;
  assetsDir?: string;
  utc: boolean;
  /** Allow a non-loopback address without --token/--users. */
  insecure?: boolean;
  /** Failed logins per client within 15 minutes before 429 (default 5). */
  maxFailures?: number;
}

export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || port > 65535)
    throw new UsageError(`invalid --listen '${text}': expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080`);
  return { host: match[1] ?? match[2]!, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export async function startServer(settings: ServeSettings): Promise<{ app: FastifyInstance; url: string }> {
  const authOptions: AuthOptions = {};
  if (settings.token !== undefined) authOptions.token = settings.token;
  if (settings.usersFile !== undefined) authOptions.users = await loadUsers(settings.usersFile);
  if (settings.maxFailures !== undefined) authOptions.maxFailures = settings.maxFailures;
  const auth = new Authenticator(authOptions);
  if (!auth.enabled && !isLoopback(settings.host) && settings.insecure !== true)
    throw new UsageError(
      `refusing to listen on ${settings.host} without --token or --users (use --insecure-no-auth to insist)`,
    );
  const ledgerLocation = settings.ledger;
  const cacheDir =
    settings.cacheDir ?? join(tmpdir(), `netledger-serve-${process.getuid?.() ?? 0}-${settings.port}`);
  const app = await createServer({
    ...(ledgerLocation === undefined ? {} : { openLedger: () => openLedger(ledgerLocation) }),
    auth,
    sniffer: {
      stats: settings.stats,
      peers: settings.peers,
      peerTimeoutMs: settings.peerTimeoutSeconds * 1000,
      cacheDir,
      refreshSeconds: settings.refreshSeconds,
      lockSeconds: settings.lockSeconds,
      utc: settings.utc,
      ...(settings.snifferUpdate === undefined ? {} : { update: settings.snifferUpdate }),
    },
    fwctl: {
      files: settings.fwctl ?? [],
      cacheDir,
      refreshSeconds: settings.refreshSeconds,
      lockSeconds: settings.lockSeconds,
    },
    assetsDir: settings.assetsDir ?? DEFAULT_ASSETS_DIR,
    ...(settings.sensorPidFile === undefined ? {} : { sensorPidFile: settings.sensorPidFile }),
  });
  const address = await app.listen({ host: settings.host, port: settings.port });
  return { app, url: address };
}
