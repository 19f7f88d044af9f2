/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The fwctl chains: the summary table (as `netledger fwctl summary`) and one histogram per chain of the
 * bytes in each sample (as `netledger fwctl samples`), for an hour or day sample and an optional window.
 */
import uPlot from 'uplot';
import { api, byId, clearError, element, makeSortable, setupNav, showError } from './common.js';

type Count = number | string;
interface SummaryRow {
  name: string;
  packets_sum: Count;
  bytes_sum: Count;
  packets_avg: Count;
  bytes_avg: Count;
}
interface SampleRow {
  name: string;
  start: number;
  packets: Count;
  bytes: Count;
}

const plots: uPlot[] = [];

function params(): URLSearchParams {
  const query = new URLSearchParams({ sample: byId<HTMLSelectElement>('sample').value });
  for (const name of ['start', 'end']) {
    const value = byId<HTMLInputElement>(name).value.trim();
    if (value !== '') query.set(name, value);
  }
  return query;
}

function histogram(name: string, rows: SampleRow[], sample: number): HTMLElement {
  const box = element('figure', { class: 'chain', 'data-chain': name }, element('figcaption', {}, name));
  const data: uPlot.AlignedData = [rows.map((row) => row.start), rows.map((row) => Number(row.bytes))];
  plots.push(
    new uPlot(
      {
        width: 560,
        height: 180,
        scales: {
          x: { time: true, range: (_u, min, max) => [min - sample / 2, max + sample / 2] },
          y: { range: (_u, _min, max) => [0, max * 1.05 || 1] },
        },
        series: [
          {},
          {
            label: 'bytes',
            fill: '#1f77b4aa',
            stroke: '#1f77b4',
            paths: uPlot.paths.bars!({ size: [0.8] }),
            points: { show: false },
          },
        ],
        axes: [{}, { size: 90 }],
        legend: { show: false },
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      },
      data,
      box,
    ),
  );
  return box;
}

async function load(): Promise<void> {
  clearError();
  const [summary, samples] = await Promise.all([
    api<{ rows: SummaryRow[] }>(`/api/fwctl/summary?${params()}`),
    api<{ sample: number; rows: SampleRow[] }>(`/api/fwctl/samples?${params()}`),
  ]);
  byId<HTMLTableSectionElement>('summary-body').replaceChildren(
    ...summary.rows.map((row) =>
      element(
        'tr',
        {},
        element('td', {}, row.name),
        ...[row.packets_sum, row.bytes_sum, row.packets_avg, row.bytes_avg].map((value) =>
          element('td', { class: 'num', 'data-value': String(value) }, String(value)),
        ),
      ),
    ),
  );
  for (const plot of plots.splice(0)) plot.destroy();
  const byChain = new Map<string, SampleRow[]>();
  for (const row of samples.rows) byChain.set(row.name, [...(byChain.get(row.name) ?? []), row]);
  byId('histograms').replaceChildren(
    ...[...byChain].map(([name, rows]) => histogram(name, rows, samples.sample)),
  );
  // What is shown, for tests and scripts that wait for a reload.
  document.body.dataset.loaded = params().toString();
}

byId<HTMLFormElement>('range').addEventListener('submit', (event) => {
  event.preventDefault();
  load().catch(showError);
});
byId<HTMLSelectElement>('sample').addEventListener('change', () => load().catch(showError));
makeSortable(byId<HTMLTableElement>('summary'));
setupNav()
  .then(load)
  .then(() => document.body.setAttribute('data-ready', 'true'))
  .catch(showError);
