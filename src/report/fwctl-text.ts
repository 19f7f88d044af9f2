/**
 * The text report of `fwctlacctreport` (Fwctl 0.28, formats.md 2.4): a 72-column centred heading, the
 * period, then any of a SUMMARY table and PACKETS / BYTES histograms (6 hourly or 7 daily columns a row,
 * each row followed by Avg and Total). Layout, widths and trailing spaces are the original's; the fixes of
 * formats.md 2.6 apply: units carry a true, rounded decimal digit and no digit is dropped.
 */
import type { FwctlAccountingReport } from '../aggregate/fwctl-accounting.js';

export type FwctlTextSection = 'summary' | 'packets' | 'bytes';

export interface FwctlTextOptions {
  sections: readonly FwctlTextSection[];
  /** Dates in UTC instead of the local time zone. */
  utc?: boolean;
}

const COLUMNS = 72;
const HOUR = 3600;
const DAY = 86_400;

/**
 * `value / divisor` with one decimal digit, rounded half up in exact integer arithmetic; the digit is left
 * out when it is 0 (the original prints `2k`, not `2.0k`).
 */
function scaled(value: bigint, divisor: bigint, unit: string): string {
  if (divisor === 1n) return value.toString();
  let whole = value / divisor;
  let tenth = ((value % divisor) * 20n + divisor) / (2n * divisor);
  if (tenth === 10n) {
    whole += 1n;
    tenth = 0n;
  }
  return tenth === 0n ? `${whole}${unit}` : `${whole}.${tenth}${unit}`;
}

/** Packets: `k` above 1,000 and `M` above 1,000,000 (decimal), as the original's `packets_count`. */
export function formatPacketCount(packets: bigint): string {
  if (packets > 1_000_000n) return scaled(packets, 1_000_000n, 'M');
  if (packets > 1_000n) return scaled(packets, 1_000n, 'k');
  return packets.toString();
}

/** Bytes: `k`, `M`, `G` above 1024, 1024², 1024³ (binary), as the original's `bytes_count`. */
export function formatByteCount(bytes: bigint): string {
  if (bytes > 1024n ** 3n) return scaled(bytes, 1024n ** 3n, 'G');
  if (bytes > 1024n ** 2n) return scaled(bytes, 1024n ** 2n, 'M');
  if (bytes > 1024n) return scaled(bytes, 1024n, 'k');
  return bytes.toString();
}

/** The unit after `Pkts/` and `Bytes/`: `d` and `h` as the original, else the sample length (`5m`, `2h`). */
export function sampleUnitLabel(sample: number): string {
  if (sample === DAY) return 'd';
  if (sample === HOUR) return 'h';
  if (sample % DAY === 0) return `${sample / DAY}d`;
  if (sample % HOUR === 0) return `${sample / HOUR}h`;
  if (sample % 60 === 0) return `${sample / 60}m`;
  return `${sample}s`;
}

/** Perl's `centerf`: the text with equal padding on both sides (the right padding is printed too). */
function center(text: string): string {
  const spacing = Math.floor((COLUMNS - text.length) / 2);
  if (spacing <= 0) return `${text}\n`;
  const pad = ' '.repeat(spacing);
  return `${pad}${text}${pad}\n`;
}

interface Clock {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  weekday: number;
}

function clock(epochSeconds: number, utc: boolean): Clock {
  const date = new Date(epochSeconds * 1000);
  return utc
    ? {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hours: date.getUTCHours(),
        minutes: date.getUTCMinutes(),
        weekday: date.getUTCDay(),
      }
    : {
        year: date.getFullYear(),
        month: date.getMonth() + 1,
        day: date.getDate(),
        hours: date.getHours(),
        minutes: date.getMinutes(),
        weekday: date.getDay(),
      };
}

const pad2 = (value: number): string => String(value).padStart(2, '0');

/** strftime `%y-%m-%d`. */
function shortDate(time: Clock): string {
  return `${pad2(time.year % 100)}-${pad2(time.month)}-${pad2(time.day)}`;
}

/** The heading: title, `%y-%m-%d %H:%M - %y-%m-%d %H:%M`, two blank lines. */
export function renderFwctlHeading(report: FwctlAccountingReport, utc = false): string {
  const stamp = (epoch: number) => {
    const time = clock(epoch, utc);
    return `${shortDate(time)} ${pad2(time.hours)}:${pad2(time.minutes)}`;
  };
  return `${center('IP ACCOUNTING REPORT')}${center(`${stamp(report.start)} - ${stamp(report.end)}`)}\n\n`;
}

export function renderFwctlSummary(report: FwctlAccountingReport): string {
  const unit = sampleUnitLabel(report.sample);
  const row = (cells: string[]) =>
    `${cells[0]!.padEnd(15)} ${cells
      .slice(1)
      .map((cell) => cell.padStart(8))
      .join(' ')}\n`;
  let out = `${center('SUMMARY')}\n${row(['Name', 'Pkts', `Pkts/${unit}`, 'Bytes', `Bytes/${unit}`])}`;
  if (report.chains.length === 0) return `${out}${center('NO RECORDS')}\n\n`;
  for (const chain of report.chains) {
    out += row([
      chain.name,
      formatPacketCount(chain.packetsSum),
      formatPacketCount(chain.packetsAvg),
      formatByteCount(chain.bytesSum),
      formatByteCount(chain.bytesAvg),
    ]);
  }
  return `${out}\n\n`;
}

type Field = 'packets' | 'bytes';

/**
 * One histogram block: a header of column `labels`, then per chain one cell per label from sample `first`
 * (the first block leaves `skip` cells blank so columns line up with clock hours or weekdays), Avg and
 * Total. Returns the text and the index of the next sample.
 */
function histogramBlock(
  report: FwctlAccountingReport,
  field: Field,
  labels: readonly string[],
  first: number,
  skip: number,
): { text: string; next: number } {
  const { chains, sampleCount } = report;
  const columns = labels.length;
  let text = `${'Chain'.padEnd(12)}${labels.map((label) => ` ${label} `).join('')}`;
  text += `${'Avg'.padStart(6)} ${'Total'.padStart(6)}\n`;
  const format = field === 'packets' ? formatPacketCount : formatByteCount;
  let next = first;
  for (const chain of chains) {
    const samples = chain.samples ?? [];
    let index = first;
    let total = 0n;
    let shown = 0n;
    text += chain.name.padEnd(12);
    for (let column = 0; column < columns; column++) {
      if (column < skip || index >= sampleCount) {
        text += `${''.padStart(6)} `;
        continue;
      }
      const value = samples[index++]![field];
      text += `${format(value).padStart(6)} `;
      total += value;
      shown++;
    }
    // Fix: the average of the samples in this row (the original divides by the report's sample count).
    text += `${format(shown === 0n ? 0n : total / shown).padStart(6)} ${format(total).padStart(6)} \n`;
    next = index;
  }
  return { text: `${text}\n`, next };
}

function noRecords(report: FwctlAccountingReport): boolean {
  return report.chains.length === 0 || report.sampleCount === 0;
}

export function renderFwctlHourly(report: FwctlAccountingReport, field: Field, utc = false): string {
  let out = `${center(`${field.toUpperCase()} PER HOUR`)}\n`;
  if (noRecords(report)) return `${out}${center('NO RECORDS')}\n\n`;
  let dayStart = report.start;
  const firstHour = clock(dayStart, utc).hours;
  const skip = firstHour % 6;
  let hour = firstHour - skip;
  out += `${center(`STATS FOR ${shortDate(clock(dayStart, utc))}`)}\n`;
  let index = 0;
  while (index < report.sampleCount) {
    if (hour > 23) {
      dayStart += DAY;
      out += `${center(`STATS FOR ${shortDate(clock(dayStart, utc))}`)}\n`;
      hour = 0;
    }
    const labels = Array.from({ length: 6 }, (_, column) => `${pad2(hour + column)}:00`);
    const block = histogramBlock(report, field, labels, index, index === 0 ? skip : 0);
    out += block.text;
    index = block.next;
    hour += 6;
  }
  return out;
}

export function renderFwctlDaily(report: FwctlAccountingReport, field: Field, utc = false): string {
  let out = `${center(`${field.toUpperCase()} PER DAY`)}\n`;
  if (noRecords(report)) return `${out}${center('NO RECORDS')}\n\n`;
  const skip = clock(report.start, utc).weekday;
  const sunday = report.start - skip * DAY;
  let index = 0;
  while (index < report.sampleCount) {
    const firstDay = index === 0 ? sunday : report.start + index * report.sample;
    const labels = Array.from({ length: 7 }, (_, column) => {
      const time = clock(firstDay + column * DAY, utc);
      return `${pad2(time.month)}-${pad2(time.day)}`;
    });
    const block = histogramBlock(report, field, labels, index, index === 0 ? skip : 0);
    out += block.text;
    index = block.next;
  }
  return out;
}

/**
 * The whole report as `fwctlacctreport` prints it. Histograms are hourly for 1-hour samples and daily
 * otherwise (the original only knows `hour` and `day`).
 */
export function renderFwctlText(report: FwctlAccountingReport, options: FwctlTextOptions): string {
  const utc = options.utc ?? false;
  let out = renderFwctlHeading(report, utc);
  for (const section of options.sections) {
    if (section === 'summary') out += renderFwctlSummary(report);
    else if (report.sample === HOUR) out += renderFwctlHourly(report, section, utc);
    else out += renderFwctlDaily(report, section, utc);
  }
  return out;
}
