// Shared launcher of the netledger bins: runs the TypeScript sources through tsx, so `npm ci` is the whole
// install (no build step), and turns the returned number into the process exit code.
import { register } from 'tsx/esm/api';

register();

/** @param {string} modulePath path of a module exporting `main(argv: string[]): Promise<number>` */
export async function launch(modulePath) {
  const entry = await import(new URL(modulePath, import.meta.url).href);
  const code = await entry.main(process.argv);
  process.exitCode = code;
}
