/**
 * Asking a running sensor for a fresh status file (Report.pm `rqst_dump`): send `dump` over UDP from a
 * dynamic port, wait until the file's ctime changes, and check the `OK <epoch>` reply.
 */
import { createSocket, type Socket } from 'node:dgram';
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { NetworkError, TimeoutError, UsageError, fromFsError } from '../../model/errors.js';

export const DUMP_DEFAULTS = {
  /** First and last port of the dynamic range the request is sent from (dyn_bind). */
  firstPort: 49152,
  lastPort: 65535,
  bindAttempts: 100,
  pollMs: 100,
  timeoutSeconds: 15,
};

/** `port`, `host:port`, `ip:port` or `[v6]:port`; the host defaults to 127.0.0.1 as in the original. */
export function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([\w.-]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`invalid update specification '${text}': expected port, host:port or ip:port`);
  }
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

async function ctimeMs(file: string): Promise<number> {
  try {
    return (await stat(file)).ctimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw fromFsError(error, file);
  }
}

async function bindDynamic(socket: Socket, address: string): Promise<number> {
  for (let attempt = 0; attempt < DUMP_DEFAULTS.bindAttempts; attempt++) {
    const port =
      DUMP_DEFAULTS.firstPort +
      Math.floor(Math.random() * (DUMP_DEFAULTS.lastPort - DUMP_DEFAULTS.firstPort + 1));
    const bound = await new Promise<boolean>((resolve) => {
      const onError = () => resolve(false);
      socket.once('error', onError);
      socket.bind(port, address, () => {
        socket.off('error', onError);
        resolve(true);
      });
    });
    if (bound) return port;
  }
  throw new NetworkError(
    `could not bind a UDP socket to a port in ${DUMP_DEFAULTS.firstPort}-${DUMP_DEFAULTS.lastPort} after ${DUMP_DEFAULTS.bindAttempts} tries`,
  );
}

export interface DumpRequest {
  host: string;
  port: number;
  statsFile: string;
  /** Ask only when the file is older than this many seconds (undefined: always ask). */
  maxAgeSeconds?: number | undefined;
  timeoutSeconds?: number;
}

export interface DumpResult {
  requested: boolean;
  /** The epoch in the sensor's `OK <epoch>` reply, when one came. */
  replyEpoch?: number;
}

export async function requestDump(request: DumpRequest): Promise<DumpResult> {
  const timeoutSeconds = request.timeoutSeconds ?? DUMP_DEFAULTS.timeoutSeconds;
  const before = await ctimeMs(request.statsFile);
  if (
    request.maxAgeSeconds !== undefined &&
    before > 0 &&
    before + request.maxAgeSeconds * 1000 > Date.now()
  ) {
    return { requested: false };
  }
  const family = isIP(request.host) === 6 ? 'udp6' : 'udp4';
  const socket = createSocket(family);
  const loopback = request.host === '127.0.0.1' || request.host === 'localhost' || request.host === '::1';
  await bindDynamic(
    socket,
    loopback ? (family === 'udp6' ? '::1' : '127.0.0.1') : family === 'udp6' ? '::' : '0.0.0.0',
  );
  let reply: string | undefined;
  socket.on('message', (message) => {
    reply ??= message.toString('latin1', 0, 256);
  });
  const target = `${request.host}:${request.port}`;
  try {
    await new Promise<void>((resolve, reject) =>
      socket.send('dump', request.port, request.host, (error) =>
        error
          ? reject(new NetworkError(`could not send the dump request to ${target}: ${error.message}`, error))
          : resolve(),
      ),
    );
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      if (reply !== undefined && reply.startsWith('??')) {
        throw new NetworkError(`the sensor at ${target} did not accept the request (replied '??')`);
      }
      const now = await ctimeMs(request.statsFile);
      if (now > before) {
        // The reply is sent before the file is renamed into place; give a late datagram a moment.
        if (reply === undefined) await new Promise((resolve) => setTimeout(resolve, DUMP_DEFAULTS.pollMs));
        const epoch = /OK\s*(\d+)/.exec(reply ?? '')?.[1];
        return epoch === undefined ? { requested: true } : { requested: true, replyEpoch: Number(epoch) };
      }
      if (Date.now() >= deadline) {
        throw new TimeoutError(
          `'${request.statsFile}' was not updated within ${timeoutSeconds} s of the dump request to ${target}` +
            (reply === undefined ? ' (no reply)' : ` (reply '${reply.trim()}')`),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, DUMP_DEFAULTS.pollMs));
    }
  } finally {
    socket.close();
  }
}
