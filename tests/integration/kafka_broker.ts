import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { freePort, stopChild } from './redis_server';

/** A real Apache Kafka broker (KRaft, scripts/kafka.sh) on 127.0.0.1 and free ports, its data in a temp folder. */
export async function startKafka(): Promise<{ brokers: string[]; stop: () => Promise<void> }> {
  const port = await freePort();
  const controller = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'fitlake-kafka-'));
  let log = '';
  const proc: ChildProcess = spawn('bash', [join(__dirname, '..', '..', 'scripts', 'kafka.sh')], {
    env: { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controller), KAFKA_DATA: data, KAFKA_HEAP: '384m' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const brokers = [`127.0.0.1:${port}`];
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the Kafka broker exited (${proc.exitCode}): ${log}`);
    const admin = new Admin({ clientId: 'fitlake-test', bootstrapBrokers: brokers, timeout: 2_000, retries: 0 });
    try {
      await admin.listTopics();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the Kafka broker did not answer on ${brokers[0]}: ${log}`);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await admin.close();
    }
  }
  return {
    brokers,
    stop: async () => {
      await stopChild(proc);
      rmSync(data, { recursive: true, force: true });
    },
  };
}
