import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer } from '../../test/support/dns-server.js';
import { PtrResolver, buildPtrQuery, parsePtrResponse, reverseName, type PtrAnswer } from './ptr.js';

let server: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  server = await startDnsServer({
    answers: {
      '7.100.51.198.in-addr.arpa': { names: ['a.example.com', 'b.example.com'], ttl: 600 },
      '9.100.51.198.in-addr.arpa': { names: ['9.100.51.198.in-addr.arpa'], ttl: 300 },
    },
    soa: { mname: 'ns.example.net', ttl: 900 },
  });
});
afterAll(() => server.close());

describe('PTR resolver', () => {
  it('names the reverse zones of IPv4 and IPv6 addresses', () => {
    expect(reverseName('198.51.100.7')).toBe('7.100.51.198.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe(
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
  });

  it('builds a recursive PTR query', () => {
    expect(buildPtrQuery(0x1234, '1.2.in-addr.arpa').toString('hex')).toBe(
      '123401000001000000000000' + '0131' + '0132' + '07696e2d61646472' + '0461727061' + '00' + '000c0001',
    );
  });

  it('rejects a short message', () => {
    expect(() => parsePtrResponse(Buffer.alloc(5))).toThrow('short DNS message');
  });

  it('resolves over UDP with TTLs, NXDOMAIN as :soa-host, and keeps in-addr.arpa names only when alone', async () => {
    const answers: PtrAnswer[] = [];
    const resolver = new PtrResolver({
      servers: [`127.0.0.1:${server.port}`],
      queriesPerSecond: 100,
      onAnswer: (answer) => answers.push(answer),
    });
    for (const ip of ['198.51.100.7', '203.0.113.5', '198.51.100.9', '198.51.100.7']) resolver.lookup(ip);
    for (let i = 0; i < 100 && answers.length < 3; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    resolver.close();
    expect(answers.sort((a, b) => a.ip.localeCompare(b.ip))).toEqual([
      { ip: '198.51.100.7', names: ['a.example.com', 'b.example.com'], ttl: 600 },
      { ip: '198.51.100.9', names: ['9.100.51.198.in-addr.arpa'], ttl: 300 },
      { ip: '203.0.113.5', names: [':ns.example.net'], ttl: 900 },
    ]);
    // The duplicate lookup of .7 was folded into the one in flight.
    expect(server.queries.filter((name) => name === '7.100.51.198.in-addr.arpa').length).toBe(1);
  });
});
