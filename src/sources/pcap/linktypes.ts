/**
 * The link-layer types netledger decodes (LINKTYPE_* values as stored in pcap and pcapng files), and the
 * names tcpdump's `-y` option knows them by (needed to compile a BPF expression for that link type).
 */

export const LINKTYPE = {
  /** BSD loopback: 4-byte address family in the writer's host byte order. */
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as some systems write it into files. */
  RAW_DLT12: 12,
  /** DLT_RAW as OpenBSD writes it. */
  RAW_DLT14: 14,
  RAW: 101,
  /** OpenBSD loopback: 4-byte address family in network byte order. */
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Link type number → the DLT name tcpdump -y accepts. */
const TCPDUMP_NAMES: Record<number, string> = {
  [LINKTYPE.NULL]: 'NULL',
  [LINKTYPE.ETHERNET]: 'EN10MB',
  [LINKTYPE.RAW_DLT12]: 'RAW',
  [LINKTYPE.RAW_DLT14]: 'RAW',
  [LINKTYPE.RAW]: 'RAW',
  [LINKTYPE.LOOP]: 'LOOP',
  [LINKTYPE.LINUX_SLL]: 'LINUX_SLL',
  [LINKTYPE.IPV4]: 'IPV4',
  [LINKTYPE.IPV6]: 'IPV6',
  [LINKTYPE.LINUX_SLL2]: 'LINUX_SLL2',
};

export function tcpdumpLinkTypeName(linkType: number): string | undefined {
  return TCPDUMP_NAMES[linkType];
}

export function isSupportedLinkType(linkType: number): boolean {
  return TCPDUMP_NAMES[linkType] !== undefined;
}
