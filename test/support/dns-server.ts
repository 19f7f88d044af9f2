/**
 * A tiny authoritative DNS server on 127.0.0.1 (node:dgram) for PTR tests: real UDP, known answers.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface PtrZone {
  /** reverse name (e.g. `7.100.51.198.in-addr.arpa`) → [names, ttl] */
  answers: Record<string, { names: string[]; ttl: number }>;
  /** SOA mname and TTL returned with NXDOMAIN for every other name. */
  soa: { mname: string; ttl: number };
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((label) => label !== '');
  return Buffer.concat([
    ...parts.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])),
    Buffer.from([0]),
  ]);
}

function record(type: number, ttl: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0); // owner: the question name
  fixed.writeUInt16BE(type, 2);
  fixed.writeUInt16BE(1, 4);
  fixed.writeUInt32BE(ttl, 6);
  fixed.writeUInt16BE(data.length, 10);
  return Buffer.concat([fixed, data]);
}

export async function startDnsServer(
  zone: PtrZone,
): Promise<{ port: number; queries: string[]; close: () => void }> {
  const socket: Socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (query, sender) => {
    let at = 12;
    const labels: string[] = [];
    while (query[at]! !== 0) {
      labels.push(query.toString('latin1', at + 1, at + 1 + query[at]!));
      at += 1 + query[at]!;
    }
    const question = query.subarray(12, at + 5);
    const name = labels.join('.');
    queries.push(name);
    const answer = zone.answers[name];
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(answer ? 0x8580 : 0x8583, 2);
    header.writeUInt16BE(1, 4);
    let records: Buffer[];
    if (answer) {
      header.writeUInt16BE(answer.names.length, 6);
      records = answer.names.map((ptr) => record(12, answer.ttl, encodeName(ptr)));
    } else {
      header.writeUInt16BE(1, 8);
      const soa = Buffer.concat([
        encodeName(zone.soa.mname),
        encodeName(`hostmaster.${zone.soa.mname}`),
        Buffer.alloc(20, 1),
      ]);
      records = [record(6, zone.soa.ttl, soa)];
    }
    socket.send(Buffer.concat([header, question, ...records]), sender.port, sender.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, queries, close: () => socket.close() };
}
