import { writeFileAtomic } from '../io/atomic.js';

/**
 * Sends a command's output to stdout, or atomically to `outputPath` when one is given (never a
 * half-written file). A closed pipe (`netledger … | head`) ends the output quietly.
 */
export async function emitOutput(text: string | Uint8Array, outputPath?: string): Promise<void> {
  if (outputPath !== undefined && outputPath !== '-') {
    await writeFileAtomic(outputPath, text);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(text, (error) => {
      if (error && (error as NodeJS.ErrnoException).code !== 'EPIPE') reject(error);
      else resolve();
    });
  });
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});
