/**
 * Byte-exact against the original tstat_send 0.6.5: golden/*.json.gz were printed by the original for the
 * same seeded trees (golden/README.md says how). netledger must print the same bytes and mark the same
 * directories.
 */
import { spawn } from 'node:child_process';
import { WriteStream, existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WritableOptions } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SILENT_LOG } from '../../src/transport/tstat-log.js';
import { sendTstatTree } from '../../src/transport/tstat-send.js';
import { StdoutSink } from '../../src/sinks/stdout.js';
import { generateTstatTree } from './generate.js';
import { GOLDEN_CASES, NO_TRANSPORT_CONFIG } from './golden-cases.js';
import { printTree, tempDir } from './helpers.js';

function golden(name: string): string {
  return gunzipSync(readFileSync(new URL(`./golden/${name}.json.gz`, import.meta.url))).toString('utf8');
}

/** The case's -S / -I / -T values as pipeline options. */
function optionsOf(args: string[]) {
  const value = (flag: string): string | undefined => {
    const index = args.indexOf(flag);
    return index >= 0 ? args[index + 1] : undefined;
  };
  return {
    thresholdMB: Number(value('-T') ?? 1000),
    sensorId: value('-S') ?? 'unset',
    instanceId: value('-I') ?? 0,
  };
}

describe('tstat send --no-transport matches the original 0.6.5 byte for byte', () => {
  for (const goldenCase of GOLDEN_CASES) {
    it(goldenCase.name, async () => {
      const temp = await tempDir();
      try {
        const dirs = await generateTstatTree({ ...goldenCase.tree, root: temp.path });
        const { text, summary } = await printTree(temp.path, optionsOf(goldenCase.args));
        expect(text).toBe(golden(goldenCase.name));
        // Every directory is marked afterwards (also those without objects), as the original does.
        for (const dir of dirs) expect(existsSync(join(dir, '.processed'))).toBe(true);
        expect(summary.directoriesSkipped).toBe(goldenCase.tree.processed?.length ?? 0);
        // A second run sends nothing: every directory is marked.
        const again = await printTree(temp.path, optionsOf(goldenCase.args));
        expect(again.text).toBe('');
        expect(again.summary.directoriesSent).toBe(0);
      } finally {
        await temp.cleanup();
      }
    });
  }

  it('the tstat_send drop-in prints the same bytes, writes .processed with the same content, exits 0', async () => {
    const goldenCase = GOLDEN_CASES[0]!;
    const temp = await tempDir();
    try {
      const tree = join(temp.path, 'tree');
      const dirs = await generateTstatTree({ ...goldenCase.tree, root: tree });
      const config = join(temp.path, 'config.ini');
      await writeFile(config, NO_TRANSPORT_CONFIG);
      const bin = new URL('../../bin/tstat_send.js', import.meta.url).pathname;
      const child = spawn(process.execPath, [
        bin,
        '-d',
        tree,
        '-c',
        config,
        '--no-transport',
        ...goldenCase.args,
      ]);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(Buffer.concat(err).toString()).toContain('event=process_output.run');
      expect(code).toBe(0);
      expect(Buffer.concat(out).toString('utf8')).toBe(golden(goldenCase.name));
      expect(await readFile(join(dirs[0]!, '.processed'), 'utf8')).toBe('processed');
    } finally {
      await temp.cleanup();
    }
  });
});

/**
 * A file stream that takes its time: it reads each chunk only some milliseconds after it was handed the
 * chunk, as a busy disk or a slow pipe would. A slice reused before its write finished would show here.
 */
class SlowFileStream extends WriteStream {
  readonly written: Buffer[] = [];

  constructor() {
    // fs.WriteStream's constructor takes (path, options); its types only know Writable's options.
    super('/dev/null' as unknown as WritableOptions);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    setTimeout(() => {
      this.written.push(Buffer.from(chunk));
      done();
    }, 2);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    setTimeout(() => {
      for (const { chunk } of chunks) this.written.push(Buffer.from(chunk));
      done();
    }, 2);
  }
}

describe('slice memory reuse', () => {
  it('a slice is reused only after its write finished: the bytes written are the same', async () => {
    const temp = await tempDir();
    try {
      const tree = { seed: 9, directories: 3, tcpRows: 400, udpRows: 400 };
      await generateTstatTree({ ...tree, root: join(temp.path, 'tree') });
      await generateTstatTree({ ...tree, root: join(temp.path, 'expected') });
      const options = { thresholdMB: 0, sensorId: 's1', instanceId: 0 };
      // In memory (a PassThrough hands its chunks on): nothing is released, nothing reused.
      const { text } = await printTree(join(temp.path, 'expected'), options);
      const stream = new SlowFileStream();
      await sendTstatTree({
        ...options,
        directory: join(temp.path, 'tree'),
        sink: new StdoutSink(stream),
        log: SILENT_LOG,
        // ~2 slices per block: blocks are filled and reused many times over during the run.
        sliceBlockBytes: 256 * 1024,
      });
      await new Promise<void>((resolve) => stream.end(resolve));
      expect(Buffer.concat(stream.written).toString('utf8')).toBe(text);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('--single', () => {
  it('stops after the first directory that produced objects; directories without objects do not count', async () => {
    const temp = await tempDir();
    try {
      // Directory 0 has no log with a big flow at the default threshold, so it is marked and passed over.
      const dirs = await generateTstatTree({
        seed: 12,
        directories: 4,
        tcpRows: 30,
        udpRows: 30,
        bigFlowShare: 0,
        root: temp.path,
      });
      const { summary } = await printTree(temp.path, { single: true, thresholdMB: 1000 });
      expect(summary.objects).toBe(0);
      expect(dirs.map((dir) => existsSync(join(dir, '.processed')))).toEqual([true, true, true, true]);
      const more = await tempDir();
      try {
        const others = await generateTstatTree({
          seed: 12,
          directories: 3,
          tcpRows: 30,
          udpRows: 30,
          root: more.path,
        });
        const { summary: sent } = await printTree(more.path, { single: true, thresholdMB: 0 });
        expect(sent.directoriesSent).toBe(1);
        expect(others.map((dir) => existsSync(join(dir, '.processed')))).toEqual([true, false, false]);
      } finally {
        await more.cleanup();
      }
    } finally {
      await temp.cleanup();
    }
  });
});
