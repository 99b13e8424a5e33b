// Load generators for bench:serve: closed loop (autocannon: as fast as 16 connections go) for
// throughput, open loop (vegeta: a constant arrival rate) for latency at a given rate, and the
// server's own CPU time per request from /proc.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { vegetaBinary } from './peers/vegeta';

export interface Load {
  base: string;
  method: 'GET' | 'POST';
  /** One request each, used round-robin: a path and (POST) a JSON body. */
  requests: { path: string; body?: string }[];
}

export interface Throughput {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** Closed loop: 16 keep-alive connections, each sending its next request when the last one answers. */
export async function closedLoop(load: Load, seconds: number): Promise<Throughput> {
  let i = 0;
  const r = await autocannon({
    url: load.base,
    connections: 16,
    duration: seconds,
    requests: [{ method: load.method, headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, ...load.requests[i++ % load.requests.length] }) }],
  });
  return { rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

export interface Latency {
  rate: number;
  p50: number;
  p99: number;
  max: number;
  success: number;
}

/**
 * Open loop: `rate` requests per second leave on schedule for `seconds`, however slow the answers
 * (autocannon's overallRate instead sends each second's quota back to back and then waits, which
 * measures saturated latency, not latency at that rate). Latencies in milliseconds.
 */
export function openLoop(load: Load, rate: number, seconds: number, cpu?: string): Latency {
  const vegeta = vegetaBinary();
  const dir = mkdtempSync(join(tmpdir(), 'fitlake-vegeta-'));
  try {
    const header = load.method === 'POST' ? { 'Content-Type': ['application/json'] } : {};
    const targets = load.requests.map((r) => JSON.stringify({ method: load.method, url: load.base + r.path, header, ...(r.body ? { body: Buffer.from(r.body).toString('base64') } : {}) }));
    writeFileSync(join(dir, 'targets.jsonl'), targets.join('\n') + '\n');
    const attack = [vegeta, 'attack', '-format=json', `-targets=${join(dir, 'targets.jsonl')}`, `-rate=${rate}/s`, `-duration=${seconds}s`, `-output=${join(dir, 'results.bin')}`];
    const [cmd, ...args] = cpu ? ['taskset', '-c', cpu, ...attack] : attack;
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const report = JSON.parse(execFileSync(vegeta, ['report', '-type=json', join(dir, 'results.bin')], { encoding: 'utf8' })) as { latencies: Record<string, number>; success: number; rate: number };
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return { rate: report.rate, p50: ms(report.latencies['50th']), p99: ms(report.latencies['99th']), max: ms(report.latencies.max), success: report.success };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system) a process and its descendants (e.g. MLflow's server workers) have used so far; Linux /proc, null elsewhere. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stats = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
      try {
        const fields = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
        // ppid, utime, stime (clock ticks, USER_HZ = 100)
        return [{ pid: Number(d), ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / 100 }];
      } catch {
        return []; // exited while listing
      }
    });
    const tree = new Set([pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of stats) {
        if (tree.has(s.pid) || !tree.has(s.ppid)) continue;
        tree.add(s.pid);
        grew = true;
      }
    }
    return stats.some((s) => s.pid === pid) ? stats.filter((s) => tree.has(s.pid)).reduce((a, s) => a + s.seconds, 0) : null;
  } catch {
    return null;
  }
}
