import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v12.13.0';
const BIN = join(__dirname, '..', '..', '.bench-tools', 'bin');

/**
 * The vegeta load generator (open loop: requests leave at a constant rate whether or not earlier ones
 * have answered, so queueing shows in the latencies), built from the Go module proxy on first use
 * into `.bench-tools/` (git-ignored) — a benchmark-only peer, never installed by CI.
 */
export function vegetaBinary(): string {
  const vegeta = join(BIN, 'vegeta');
  if (existsSync(vegeta)) return vegeta;
  if (spawnSync('go', ['version']).status !== 0) throw new Error('bench:serve needs Go (to build the vegeta load generator from the Go module proxy)');
  console.log(`building vegeta ${VERSION} into .bench-tools/bin`);
  execFileSync('go', ['install', `github.com/tsenart/vegeta/v12@${VERSION}`], { stdio: 'inherit', env: { ...process.env, GOBIN: BIN } });
  return vegeta;
}
