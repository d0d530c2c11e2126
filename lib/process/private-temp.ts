// Private temporary directories (a child's HOME, a copy of the operator's
// cookies): 0700, named after our pid, removed when we exit — and, since a
// SIGKILL runs no exit handler, swept by the next process of ours when their
// owner is gone.
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
const swept = new Set<string>();

process.once('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
});

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes `<prefix>-<pid>-*` directories of our uid whose process is gone. */
function sweepStale(prefix: string): void {
  const uid = process.getuid?.();
  const pattern = new RegExp(`^${prefix}-(\\d+)-`);
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!pid || isAlive(pid)) continue;
    const path = join(tmpdir(), name);
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (info?.isDirectory() && info.uid === uid) rmSync(path, { recursive: true, force: true });
  }
}

/** A new 0700 directory `<tmp>/<prefix>-<pid>-XXXXXX`, removed on exit (or by `forget` first). */
export function makePrivateDir(prefix: string): { path: string; remove(): void } {
  if (!swept.has(prefix)) {
    swept.add(prefix);
    try {
      sweepStale(prefix);
    } catch {
      // Only tidying up: never a reason not to go on.
    }
  }
  const path = mkdtempSync(join(tmpdir(), `${prefix}-${process.pid}-`));
  live.add(path);
  return {
    path,
    remove: () => {
      live.delete(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
