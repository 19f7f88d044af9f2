/**
 * The Net::Connection::Sniffer status file as values: a verbatim header and one entry per remote IP.
 *
 * Field names say what they hold; the legacy one-letter keys of the Perl hash are mapped here, once.
 */
import type { SnifferTable } from './table.js';

/** One remote IP's counters (the inner hash of the status file). */
export interface SnifferEntry {
  /** The remote address as written in the file (dotted quad, or IPv6 text). */
  ip: string;
  /** B: bytes accumulated in the current (incomplete) interval, since `lastUpdate`. */
  bytes: number;
  /** C: packets ("connections") accumulated in the current interval. */
  count: number;
  /** E: epoch of the last rate fold. */
  lastUpdate: number;
  /** N: reverse-DNS names; `:soa-host` marks an NXDOMAIN answer. */
  names: string[];
  /** R: smoothed packets per hour. */
  ratePerHour: number;
  /** S: collection start when the IP was first seen. */
  start: number;
  /** T: epoch when the PTR answer expires (0 = lookup needed). */
  ptrExpiry: number;
  /** W: smoothed bytes per hour. */
  bytesPerHour: number;
}

/** The header values a daemon writes (`dump_stats` in Sniffer.pm). */
export interface DaemonHeader {
  /** `Net::Connection::Sniffer version 0.36` line; netledger writes its own name and version after it. */
  version: string;
  start: number;
  current: number;
  hitsPerMinute: number;
  bytesPerSecond: number;
  device: string;
  promiscuous: boolean;
  bpf: string;
  /** Present only when match/nomatch are configured: `<payload offset> - <snaplen>`. */
  fragment?: { payloadOffset: number; snaplen: number };
  contains?: string;
  excludes?: string;
}

/** A parsed status file as columns (what the reports run on): the header kept verbatim, and the table. */
export interface SnifferStatusTable {
  header: string;
  table: SnifferTable;
}

/** A parsed status file: the header text kept verbatim, and the entries in file order. */
export interface SnifferStatus {
  /** All leading lines that start with `#` or are blank, exactly as read (with their newlines). */
  header: string;
  entries: SnifferEntry[];
}
