/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The two Sniffer reports (by /24, by subdomain) as sortable tables: the same numbers as the text report
 * (qrys/mn and bytes/sec printed with printf's %.0f), the peers that were merged and how old their data is.
 */
import { formatFixed0 } from '../../report/perl-format.js';
import { api, byId, clearError, element, isoTime, makeSortable, setupNav, showError } from './common.js';

interface Group {
  group: string;
  queriesPerMinute: number;
  bytesPerSecond: number;
  lastContact: number;
  ips: Array<{ ip: string; names: string[] }>;
}
interface PeerReport {
  peer: string;
  state: 'fresh' | 'stale' | 'missing';
  ageSeconds?: number;
  error?: string;
}
interface Report {
  grouping: string;
  totals: { queriesPerMinute: number; bytesPerSecond: number; users: number };
  groups: Group[];
  generatedAt: number;
  peers: PeerReport[];
}

const bySelect = byId<HTMLSelectElement>('by');

function numberCell(value: number, text: string): HTMLTableCellElement {
  return element('td', { class: 'num', 'data-value': String(value) }, text);
}

async function load(): Promise<void> {
  clearError();
  const report = await api<Report>(`/api/sniffer/report?by=${encodeURIComponent(bySelect.value)}`);
  byId('group-title').textContent = report.grouping === 'domain' ? 'sub domain' : 'CIDR/24';
  byId<HTMLTableSectionElement>('groups-body').replaceChildren(
    ...report.groups.map((group) =>
      element(
        'tr',
        {},
        element('td', {}, group.group),
        numberCell(group.queriesPerMinute, formatFixed0(group.queriesPerMinute)),
        numberCell(group.bytesPerSecond, formatFixed0(group.bytesPerSecond)),
        numberCell(group.ips.length, String(group.ips.length)),
        numberCell(group.lastContact, isoTime(group.lastContact)),
        element(
          'td',
          { class: 'ips' },
          group.ips.map((member) => `${member.ip} ${member.names.join(' ')}`.trim()).join(', '),
        ),
      ),
    ),
  );
  byId('totals').textContent =
    `rate ${formatFixed0(report.totals.queriesPerMinute)} connections per minute, ` +
    `bandwidth ${formatFixed0(report.totals.bytesPerSecond)} bytes per second, users ${report.totals.users}; ` +
    `computed ${isoTime(report.generatedAt)}`;
  const peers = byId('peers');
  peers.replaceChildren(
    ...report.peers.map((peer) =>
      element(
        'li',
        { class: `peer ${peer.state}` },
        `${peer.peer}: ${peer.state}` +
          (peer.ageSeconds !== undefined && peer.state !== 'fresh' ? `, data ${peer.ageSeconds} s old` : '') +
          (peer.error !== undefined ? ` (${peer.error})` : ''),
      ),
    ),
  );
  byId('peers-box').hidden = report.peers.length === 0;
  // What is shown, for tests and scripts that wait for a reload.
  document.body.dataset.loaded = report.grouping;
}

bySelect.addEventListener('change', () => load().catch(showError));
makeSortable(byId<HTMLTableElement>('groups'));
setupNav()
  .then(load)
  .then(() => document.body.setAttribute('data-ready', 'true'))
  .catch(showError);
