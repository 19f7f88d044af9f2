/**
 * Tests that need a real service (RabbitMQ, ClickHouse, tcpdump…) ask here whether it is reachable.
 * Under CI=true an unreachable service is a failure, never a silent skip; elsewhere the test is skipped
 * and the reason printed.
 */
import { connect } from 'node:net';

export const IN_CI = process.env.CI === 'true';

/** True when a TCP connection to host:port succeeds within `timeoutMs`. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Returns whether tests needing `what` should run. Throws under CI when it is unavailable, so a missing
 * service fails the build; otherwise prints why the tests are skipped.
 * Use as `describe.runIf(requireService(await canConnect(5672), 'RabbitMQ on 127.0.0.1:5672'))(...)`.
 */
export function requireService(available: boolean, what: string): boolean {
  if (available) return true;
  if (IN_CI) throw new Error(`${what} is not reachable, and CI=true requires it`);
  console.warn(`skipping tests: ${what} is not reachable (they run, and must pass, under CI=true)`);
  return false;
}
