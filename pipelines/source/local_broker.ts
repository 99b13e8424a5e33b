import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { freePort } from '../../core/net';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'kafka.sh');

/**
 * A real Apache Kafka broker (KRaft, `scripts/kafka.sh`: the jars from Maven Central) on 127.0.0.1
 * and free ports, its data in a temp folder removed on `stop`; resolves once it answers. For the
 * tests and benchmarks (`npm run kafka` runs the same script for local use).
 */
export async function startLocalKafka(opts: { heap?: string; timeoutMs?: number } = {}): Promise<{ brokers: string[]; stop: () => Promise<void> }> {
  const port = await freePort();
  const controller = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'fitlake-kafka-'));
  let log = '';
  const proc: ChildProcess = spawn('bash', [SCRIPT], {
    env: { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controller), KAFKA_DATA: data, KAFKA_HEAP: opts.heap ?? '384m' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const brokers = [`127.0.0.1:${port}`];
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(data, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + (opts.timeoutMs ?? 120_000); ; ) {
    if (proc.exitCode !== null) {
      await stop();
      throw new Error(`the Kafka broker exited (${proc.exitCode}): ${log}`);
    }
    const admin = new Admin({ clientId: 'fitlake-probe', bootstrapBrokers: brokers, timeout: 2_000, retries: 0 });
    try {
      await admin.listTopics();
      return { brokers, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the Kafka broker did not answer on ${brokers[0]}: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await admin.close();
    }
  }
}
