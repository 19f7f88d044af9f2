import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../model/errors.js';
import { parseIp } from '../../model/ip.js';
import { parsePolicy } from './policy.js';

const POLICY = `# test policy
1  10.0.0.0/8
2  10.1.0.0/16
3  10.1.0.0/16   tcp
4  10.1.0.0/16   tcp  80,8000-8080   # web
5  2001:db8::/32
6  2001:db8:1::/48 udp 53
7  0.0.0.0/0     icmp
8  192.0.2.7
`;

describe('policy files', () => {
  const policy = parsePolicy(POLICY, 'p.txt');
  const classOf = (address: string, proto: number, port: number) =>
    policy.classify(parseIp(address)!, proto, port);

  it('lets the longest prefix win, then ports over protocol over neither', () => {
    expect(classOf('10.2.3.4', 6, 80)).toBe(1);
    expect(classOf('10.1.3.4', 17, 80)).toBe(2);
    expect(classOf('10.1.3.4', 6, 22)).toBe(3);
    expect(classOf('10.1.3.4', 6, 80)).toBe(4);
    expect(classOf('10.1.3.4', 6, 8080)).toBe(4);
    expect(classOf('192.0.2.7', 6, 1)).toBe(8);
    expect(classOf('192.0.2.8', 1, 0)).toBe(7);
    expect(classOf('192.0.2.8', 6, 0)).toBe(0);
  });

  it('handles IPv6 prefixes', () => {
    expect(classOf('2001:db8:1::5', 17, 53)).toBe(6);
    expect(classOf('2001:db8:1::5', 17, 54)).toBe(5);
    expect(classOf('2001:db9::1', 17, 53)).toBe(0);
  });

  it('gives class 0 when there are no rules', () => {
    expect(parsePolicy('# nothing\n').classify(parseIp('10.0.0.1')!, 6, 80)).toBe(0);
  });

  it.each([
    ['1 10.0.0.1/8\n', "expected an IPv4 or IPv6 prefix with zero host bits, found '10.0.0.1/8'"],
    ['x 10.0.0.0/8\n', "expected a class number 0..4294967295, found 'x'"],
    ['1 10.0.0.0/8 tcpx\n', "unknown protocol 'tcpx'"],
    ['1 10.0.0.0/8 tcp 70000\n', "bad port list '70000'"],
    ['1\n', 'expected CLASS PREFIX [PROTO [PORTS]], found 1 field'],
  ])('refuses %j with its line number', (line, message) => {
    const text = `# header\n\n${line}`;
    let error: unknown;
    try {
      parsePolicy(text, 'bad.policy');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).describe()).toBe(`${message} (bad.policy:3)`);
  });
});
