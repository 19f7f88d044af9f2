/**
 * Progress on a terminal: a single status line on stderr, redrawn at most a few times a second, and
 * nothing at all when stderr is not a TTY (piped runs stay quiet).
 */

export interface Progress {
  /** Reports `done` units of `total` (total may be unknown). Cheap: call it as often as you like. */
  update(done: number, total?: number): void;
  /** Clears the line. */
  finish(): void;
}

const NO_PROGRESS: Progress = { update: () => undefined, finish: () => undefined };

export function createProgress(
  label: string,
  unit: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY) return NO_PROGRESS;
  const startedAt = Date.now();
  let lastDrawAt = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - lastDrawAt < 200) return;
      lastDrawAt = now;
      const seconds = (now - startedAt) / 1000;
      const rate = seconds > 0 ? Math.round(done / seconds) : 0;
      const share = total ? ` ${((100 * done) / total).toFixed(1)}%` : '';
      stream.write(
        `\r${label}: ${done.toLocaleString('en')} ${unit}${share} (${rate.toLocaleString('en')} ${unit}/s)\x1b[K`,
      );
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
