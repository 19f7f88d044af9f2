/**
 * `use_ssl = True` with `[ssl_options]` against a real TLS endpoint: a TLS terminator (node:tls, the
 * certificates made by openssl for this run) in front of the real broker on 127.0.0.1:5672. It asks for a
 * client certificate signed by the test CA, as a broker with `verify_peer` and
 * `fail_if_no_peer_cert` does. What arrives is read back from the broker directly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { ChannelModel } from 'amqplib';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as tstatSend } from '../../src/compat/tstat_send.js';
import { canConnect, requireService } from '../support/services.js';
import { drainQueue, newQueueName, queueExists, writeRabbitConfig } from './broker.js';
import { generateTstatTree } from './generate.js';
import { captureStderr, printTree, tempDir } from './helpers.js';

const available = requireService(await canConnect(5672), 'RabbitMQ on 127.0.0.1:5672');

/** A CA, a server certificate for 127.0.0.1 and localhost, and a client certificate, in `dir`. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=netledger test CA',
  );
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, subject, ext] of [
    ['server', '/CN=localhost', ['-extfile', 'server.ext']],
    ['client', '/CN=tstat-sensor', []],
  ] as const) {
    openssl('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      ...ext,
    );
  }
}

describe.runIf(available)('tstat send to RabbitMQ over TLS', () => {
  let certs: Awaited<ReturnType<typeof tempDir>>;
  let terminator: TlsServer;
  let tlsPort = 0;
  let broker: ChannelModel;
  const sockets = new Set<Socket | TLSSocket>();
  const queues: string[] = [];

  beforeAll(async () => {
    certs = await tempDir('nl-tls-');
    makeCertificates(certs.path);
    const read = (name: string) => readFileSync(join(certs.path, name));
    terminator = createTlsServer(
      {
        key: read('server.key'),
        cert: read('server.pem'),
        ca: read('ca.pem'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (client) => {
        const upstream = connectTcp(5672, '127.0.0.1');
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
      },
    );
    terminator.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
    tlsPort = (terminator.address() as AddressInfo).port;
    broker = await connect('amqp://guest:guest@127.0.0.1:5672');
    broker.on('error', () => undefined);
  });

  afterAll(async () => {
    if (broker !== undefined) {
      const channel = await broker.createChannel();
      for (const queue of queues) await channel.deleteQueue(queue);
      await broker.close();
    }
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (terminator ? terminator.close(() => resolve()) : resolve()));
    await certs?.cleanup();
  });

  /** One directory of 5 + 5 rows (20 objects at -T 0) and the config pointing at the terminator. */
  async function setup(temp: string, sslOptions: Record<string, string>, extra: Record<string, string> = {}) {
    const queue = newQueueName();
    queues.push(queue);
    const tree = { seed: 8, directories: 1, tcpRows: 5, udpRows: 5 };
    const [dir] = await generateTstatTree({ ...tree, root: join(temp, 'tree') });
    await generateTstatTree({ ...tree, root: join(temp, 'expected') });
    const expected = (await printTree(join(temp, 'expected'), { thresholdMB: 0, sensorId: 's1' })).text;
    const tail = `[ssl_options]\n${Object.entries(sslOptions)
      .map(([key, value]) => `${key} = ${value}`)
      .join('\n')}\n`;
    const config = await writeRabbitConfig(
      temp,
      queue,
      { use_ssl: 'True', port: String(tlsPort), ...extra },
      tail,
    );
    const send = () =>
      captureStderr(() =>
        tstatSend([
          'node',
          'tstat_send',
          '-d',
          join(temp, 'tree'),
          '-c',
          config,
          '-T',
          '0',
          '-S',
          's1',
          '-q',
        ]),
      );
    return { queue, dir: dir!, expected, send };
  }

  const file = (name: string) => join(certs.path, name);

  it('verifies the broker against the configured CA and presents the client certificate', async () => {
    const temp = await tempDir();
    try {
      const { queue, dir, expected, send } = await setup(temp.path, {
        ca_certs: file('ca.pem'),
        certfile: file('client.pem'),
        keyfile: file('client.key'),
      });
      const { code, stderr } = await send();
      expect([code, stderr]).toEqual([0, '']);
      const received = await drainQueue(broker, queue);
      expect(`${received.map((message) => message.body).join('\n')}\n`).toBe(expected);
      expect(existsSync(join(dir, '.processed'))).toBe(true);
    } finally {
      await temp.cleanup();
    }
  });

  it('refuses a broker whose certificate it cannot verify: one line, non-zero exit, nothing marked', async () => {
    const temp = await tempDir();
    try {
      const { queue, dir, send } = await setup(temp.path, {
        certfile: file('client.pem'),
        keyfile: file('client.key'),
      });
      const { code, stderr } = await send();
      expect(code).toBe(69);
      expect(stderr).toBe(
        `tstat_send: unable to connect to rabbit at amqps://127.0.0.1:${tlsPort}/: self-signed certificate in certificate chain - retry with --debug for details\n`,
      );
      expect(await queueExists(broker, queue)).toBe(false);
      expect(existsSync(join(dir, '.processed'))).toBe(false);
    } finally {
      await temp.cleanup();
    }
  });

  it('sends without verifying when told so (cert_reqs = CERT_NONE)', async () => {
    const temp = await tempDir();
    try {
      const { queue, expected, send } = await setup(temp.path, {
        certfile: file('client.pem'),
        keyfile: file('client.key'),
        cert_reqs: 'CERT_NONE',
      });
      const { code } = await send();
      expect(code).toBe(0);
      const received = await drainQueue(broker, queue);
      expect(`${received.map((message) => message.body).join('\n')}\n`).toBe(expected);
    } finally {
      await temp.cleanup();
    }
  });

  it('names a missing certificate file', async () => {
    const temp = await tempDir();
    try {
      const { dir, send } = await setup(temp.path, { ca_certs: file('no-such-ca.pem') });
      const { code, stderr } = await send();
      expect(code).not.toBe(0);
      expect(stderr).toContain(file('no-such-ca.pem'));
      expect(stderr.split('\n')).toHaveLength(2);
      expect(existsSync(join(dir, '.processed'))).toBe(false);
    } finally {
      await temp.cleanup();
    }
  });
});
