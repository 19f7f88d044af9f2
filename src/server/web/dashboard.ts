/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard: traffic over time (uPlot, bytes per second of the top keys, or of one key after a click
 * on its row), the top-N table for the selected key type and range. The range takes anything the CLI's
 * --since/--until take ('2 hours ago', '2026-11-20 10:00', epoch).
 */
import uPlot from 'uplot';
import { api, byId, clearError, element, makeSortable, setupNav, showError } from './common.js';

interface TopRow {
  key: string;
  bytes: number | string;
  packets: number | string;
  records: number | string;
}
interface SeriesRow {
  time: string;
  binStart: number;
  key: string;
  bytes: number | string;
  packets: number | string;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

const bySelect = byId<HTMLSelectElement>('by');
const sinceInput = byId<HTMLInputElement>('since');
const untilInput = byId<HTMLInputElement>('until');
const preset = byId<HTMLSelectElement>('preset');
const chartBox = byId('chart');
const chartTitle = byId('chart-title');
const back = byId<HTMLButtonElement>('back');
let drill: string | undefined;
let plot: uPlot | undefined;

function windowParams(): URLSearchParams {
  const params = new URLSearchParams({ by: bySelect.value });
  if (sinceInput.value.trim() !== '') params.set('since', sinceInput.value.trim());
  if (untilInput.value.trim() !== '') params.set('until', untilInput.value.trim());
  return params;
}

function drawChart(rows: SeriesRow[], binSeconds: number): void {
  const times = [...new Set(rows.map((row) => row.binStart))].sort((a, b) => a - b);
  const keys = [...new Set(rows.map((row) => row.key))];
  const index = new Map(times.map((time, i) => [time, i]));
  const columns = keys.map(() => new Array<number>(times.length).fill(0));
  for (const row of rows)
    columns[keys.indexOf(row.key)]![index.get(row.binStart)!] = Number(row.bytes) / binSeconds;
  const data: uPlot.AlignedData = [times, ...columns];
  plot?.destroy();
  chartBox.replaceChildren();
  if (times.length === 0) {
    chartBox.append(element('p', { class: 'empty' }, 'no traffic in this range'));
    return;
  }
  plot = new uPlot(
    {
      width: Math.max(400, chartBox.clientWidth),
      height: 300,
      scales: { x: { time: true } },
      series: [
        {
          label: 'time (UTC)',
          value: (_u, v) => (v === null ? '' : new Date(v * 1000).toISOString().slice(0, 16)),
        },
        ...keys.map((key, i) => ({ label: key, stroke: PALETTE[i % PALETTE.length]!, width: 2 })),
      ],
      axes: [{}, { label: 'bytes/s', size: 80 }],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    },
    data,
    chartBox,
  );
}

async function loadChart(): Promise<void> {
  const params = windowParams();
  params.set('bin', 'auto');
  if (drill === undefined) params.set('limit', '5');
  else params.set('key', drill);
  const series = await api<{ binSeconds: number; rows: SeriesRow[] }>(`/api/series?${params}`);
  chartTitle.textContent =
    drill === undefined
      ? `Top 5 by ${bySelect.value}, bytes/s per ${series.binSeconds} s bin`
      : `${bySelect.value} ${drill}, bytes/s per ${series.binSeconds} s bin`;
  back.hidden = drill === undefined;
  drawChart(series.rows, series.binSeconds);
}

async function loadTable(): Promise<void> {
  const params = windowParams();
  params.set('limit', '20');
  const top = await api<{ by: string; rows: TopRow[] }>(`/api/top?${params}`);
  const body = byId<HTMLTableSectionElement>('top-body');
  byId('top-key').textContent = top.by;
  body.replaceChildren(
    ...top.rows.map((row) => {
      const tr = element(
        'tr',
        { class: 'drill', 'data-key': row.key, title: `traffic of ${row.key} over time` },
        element('td', {}, row.key),
        ...[row.bytes, row.packets, row.records].map((value) =>
          element('td', { class: 'num', 'data-value': String(value) }, String(value)),
        ),
      );
      tr.addEventListener('click', () => {
        drill = row.key;
        for (const other of body.rows) other.classList.toggle('selected', other === tr);
        loadChart().catch(showError);
      });
      return tr;
    }),
  );
  byId('top-empty').hidden = top.rows.length > 0;
}

async function refresh(): Promise<void> {
  clearError();
  drill = undefined;
  try {
    await Promise.all([loadTable(), loadChart()]);
  } catch (error) {
    showError(error);
  }
}

preset.addEventListener('change', () => {
  sinceInput.value = preset.value;
  untilInput.value = '';
  void refresh();
});
bySelect.addEventListener('change', () => void refresh());
byId<HTMLFormElement>('range').addEventListener('submit', (event) => {
  event.preventDefault();
  void refresh();
});
back.addEventListener('click', () => {
  drill = undefined;
  for (const row of byId<HTMLTableSectionElement>('top-body').rows) row.classList.remove('selected');
  loadChart().catch(showError);
});
makeSortable(byId<HTMLTableElement>('top'));
setupNav()
  .then(refresh)
  .then(() => document.body.setAttribute('data-ready', 'true'))
  .catch(showError);
