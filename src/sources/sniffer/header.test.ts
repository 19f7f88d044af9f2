import { describe, expect, it } from 'vitest';
import { headerValues } from './header.js';

describe('headerValues', () => {
  it("reads the daemon's header lines, the first of each kind", () => {
    const header =
      '\n# Net::Connection::Sniffer version 0.36\n# start:\t1145923212,\tMon Apr 24 17:00:12 2006\n' +
      '# current:\t1145926812,\tMon Apr 24 18:00:12 2006\n# hits:\t\t3 per minute\n# bytes:\t12 per second\n' +
      '# users:\t3\n# device:\teth0\tnon-promiscuous\n\n# grand total all hosts\n# hits: \t9 per minute\n';
    expect(headerValues(header)).toEqual({
      start: 1145923212,
      current: 1145926812,
      hitsPerMinute: 3,
      bytesPerSecond: 12,
      users: 3,
      device: 'eth0',
    });
    expect(headerValues('')).toEqual({});
  });
});
