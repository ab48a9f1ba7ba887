/**
 * CPU time by process group, read from /proc (utime + stime of each process), so a benchmark can say where the
 * machine's time went during a run: which share iotops, PostgreSQL, the broker and the load generators took.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`; 100 on Linux everywhere we run). */
const TICKS = 100;

type Stat = { comm: string; ticks: number };

function stat(pid: number): Stat | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces: the fields after the last ')' are fixed.
    const close = s.lastIndexOf(')');
    const f = s.slice(close + 2).split(' ');
    return { comm: s.slice(s.indexOf('(') + 1, close), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null; // gone meanwhile
  }
}

const allPids = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);

export type Groups = Record<string, { pids?: () => number[]; comm?: string }>;
export type CpuSnapshot = { groups: Record<string, Map<number, number>>; busy: number; total: number };

/** Ticks per process of each group now (a group names its pids, or a process name to match), and the machine's. */
export function cpuSnapshot(groups: Groups): CpuSnapshot {
  const out: CpuSnapshot['groups'] = {};
  const stats = new Map<number, Stat>();
  for (const pid of allPids()) {
    const s = stat(pid);
    if (s) stats.set(pid, s);
  }
  for (const [name, g] of Object.entries(groups)) {
    const m = new Map<number, number>();
    const pids = g.pids ? g.pids() : [...stats].filter(([, s]) => s.comm === g.comm).map(([p]) => p);
    for (const p of pids) {
      const s = stats.get(p) ?? stat(p);
      if (s) m.set(p, s.ticks);
    }
    out[name] = m;
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { groups: out, busy: total - idle, total };
}

/** CPU seconds each group used between two snapshots (processes that ended meanwhile are not counted), and the
 * machine's busy share. */
export function cpuUsed(a: CpuSnapshot, b: CpuSnapshot): { seconds: Record<string, number>; busyShare: number } {
  const seconds: Record<string, number> = {};
  for (const [name, end] of Object.entries(b.groups)) {
    let t = 0;
    for (const [pid, ticks] of end) t += ticks - (a.groups[name]?.get(pid) ?? 0);
    seconds[name] = t / TICKS;
  }
  return { seconds, busyShare: (b.busy - a.busy) / Math.max(1, b.total - a.total) };
}
