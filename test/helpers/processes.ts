// Looking at the process table, to prove what we started is gone.
import { readdirSync, readFileSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    // A zombie still answers kill(0); it is dead for our purposes.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

interface ProcInfo { pid: number; ppid: number; comm: string; cmdline: string }

export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const match = /^(\d+) \((.*)\) (\S) (\d+)/.exec(stat);
      if (!match || match[3] === 'Z') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      out.push({ pid: Number(match[1]), comm: match[2]!, ppid: Number(match[4]), cmdline });
    } catch {
      // The process went away while we looked.
    }
  }
  return out;
}

/** Live children of `ppid` whose command name is `comm`. */
export function childrenNamed(ppid: number, comm: string): ProcInfo[] {
  return listProcesses().filter((p) => p.ppid === ppid && p.comm === comm);
}
