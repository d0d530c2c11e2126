// passmux's own version, from the package.json it ships in (for /healthz, /metrics and --version).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** This package's version: package.json above lib/ (source) or dist/lib/ (build); 'unknown' if neither is ours. */
export function packageVersion(): string {
  if (cached) return cached;
  cached = 'unknown';
  for (const up of ['../package.json', '../../package.json']) {
    const path = fileURLToPath(new URL(up, import.meta.url));
    if (!existsSync(path)) continue;
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'passmux') {
      cached = pkg.version ?? 'unknown';
      break;
    }
  }
  return cached;
}
