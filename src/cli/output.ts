import { writeFileAtomic, type OutputContent } from '../io/atomic.js';

/**
 * Sends a command's output to stdout, or atomically to `outputPath` when one is given (never a
 * half-written file). A closed pipe (`netledger … | head`) ends the output quietly.
 */
export async function emitOutput(content: OutputContent, outputPath?: string): Promise<void> {
  if (outputPath !== undefined && outputPath !== '-') {
    await writeFileAtomic(outputPath, content);
    return;
  }
  if (typeof content === 'string' || content instanceof Uint8Array) await writeStdout(content);
  // One chunk at a time, each written before the next is made: the whole output is never in memory.
  else for (const chunk of content) await writeStdout(chunk);
}

function writeStdout(text: string | Uint8Array): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    process.stdout.write(text, (error) => {
      if (error && (error as NodeJS.ErrnoException).code !== 'EPIPE') reject(error);
      else resolve();
    });
  });
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});
