/**
 * tstat_transport's log line on stderr: `ts=2026-11-25 21:52:43,811 event=<event> id=<epoch s> <message>`
 * (Python logging's asctime, local time). Scripts that grep the original's log keep working.
 */

export type TstatLog = (event: string, message: string) => void;

function asctime(now: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return (
    `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ` +
    `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())},${pad(now.getMilliseconds(), 3)}`
  );
}

export function createTstatLog(stream: NodeJS.WritableStream = process.stderr): TstatLog {
  return (event, message) => {
    const now = new Date();
    stream.write(`ts=${asctime(now)} event=${event} id=${Math.floor(now.getTime() / 1000)} ${message}\n`);
  };
}

export const SILENT_LOG: TstatLog = () => undefined;
