import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, loadConfig } from '../../../core/config';
import { ValidationError } from '../../../core/errors';

function dirWithConfig(content?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'fitlake-cfg-'));
  if (content !== undefined) writeFileSync(join(dir, 'fitlake.config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

describe('loadConfig', () => {
  it('gives the documented defaults, with the lakehouse resolved against cwd', () => {
    const dir = dirWithConfig();
    const c = loadConfig({}, {}, dir);
    expect(c).toEqual({ ...DEFAULT_CONFIG, lakehouse: join(dir, 'lakehouse'), tracking: { type: 'file', dir: join(dir, 'lakehouse', 'mlruns') } });
  });

  it('keeps runs and registered models with their lakehouse unless tracking is set', () => {
    const dir = dirWithConfig();
    expect(loadConfig({ lakehouse: 'a' }, {}, dir).tracking).toEqual({ type: 'file', dir: join(dir, 'a', 'mlruns') });
    expect(loadConfig({}, { FITLAKE_LAKEHOUSE: '/srv/b' }, dir).tracking).toEqual({ type: 'file', dir: '/srv/b/mlruns' });
    expect(loadConfig({ lakehouse: 'a' }, { MLFLOW_TRACKING_URI: 'runs' }, dir).tracking).toEqual({ type: 'file', dir: join(dir, 'runs') });
  });

  it('merges a partial section of the file with the defaults', () => {
    const dir = dirWithConfig({ features: { online: { type: 'redis', port: 6380 } }, serving: { port: 8080 } });
    const c = loadConfig({}, {}, dir);
    expect(c.features).toEqual({ offline: { type: 'duckdb' }, online: { type: 'redis', host: '127.0.0.1', port: 6380, keyPrefix: 'fitlake:' } });
    expect(c.serving).toEqual({ ...DEFAULT_CONFIG.serving, port: 8080 });
    expect(loadConfig({}, {}, dirWithConfig({ features: { offline: { type: 'duckdb' } } })).features.online).toEqual({ type: 'embedded' });
  });

  it('layers file < environment < explicit overrides', () => {
    const dir = dirWithConfig({ seed: 1, timezone: 'Europe/Berlin', scale: 'tiny', duckdb: { memoryLimit: '512MB' } });
    const fromFile = loadConfig({}, {}, dir);
    expect([fromFile.seed, fromFile.timezone, fromFile.scale, fromFile.duckdb.memoryLimit]).toEqual([1, 'Europe/Berlin', 'tiny', '512MB']);
    const fromEnv = loadConfig({}, { FITLAKE_SEED: '2', FITLAKE_TIMEZONE: 'Asia/Tokyo' }, dir);
    expect([fromEnv.seed, fromEnv.timezone, fromEnv.scale]).toEqual([2, 'Asia/Tokyo', 'tiny']);
    const fromFlags = loadConfig({ seed: 3 }, { FITLAKE_SEED: '2' }, dir);
    expect(fromFlags.seed).toBe(3);
  });

  it('names the field at fault', () => {
    const dir = dirWithConfig();
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return e as ValidationError;
      }
      throw new Error('expected a ValidationError');
    };
    expect(bad(() => loadConfig({}, { FITLAKE_TIMEZONE: 'Mars/Olympus' }, dir)).message).toMatch(/timezone: not a known IANA time zone/);
    expect(bad(() => loadConfig({}, { FITLAKE_SEED: 'abc' }, dir)).field).toBe('FITLAKE_SEED');
    expect(bad(() => loadConfig({}, { FITLAKE_SCALE: 'huge' }, dir)).field).toBe('scale');
    expect(bad(() => loadConfig({}, {}, dirWithConfig({ lakehous: 'x' }))).message).toMatch(/lakehous/);
    expect(bad(() => loadConfig({}, {}, dirWithConfig('{not json'))).field).toBe('config');
    expect(bad(() => loadConfig({}, { FITLAKE_CONFIG: 'missing.json' }, dir)).field).toBe('FITLAKE_CONFIG');
    expect(bad(() => loadConfig({}, { FITLAKE_DUCKDB_MEMORY_LIMIT: 'lots' }, dir)).field).toBe('duckdb.memoryLimit');
  });

  it('reads MLFLOW_TRACKING_URI as MLflow does: http(s) → server, file: or a folder → file store', () => {
    const dir = dirWithConfig();
    expect(loadConfig({}, { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' }, dir).tracking).toEqual({ type: 'mlflow', uri: 'http://127.0.0.1:5000' });
    expect(loadConfig({}, { MLFLOW_TRACKING_URI: 'file:///srv/mlruns' }, dir).tracking).toEqual({ type: 'file', dir: '/srv/mlruns' });
    expect(loadConfig({}, { MLFLOW_TRACKING_URI: 'runs' }, dir).tracking).toEqual({ type: 'file', dir: join(dir, 'runs') });
    expect(() => loadConfig({}, { MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db' }, dir)).toThrow(expect.objectContaining({ field: 'MLFLOW_TRACKING_URI' }));
  });

  it('reads the serving settings from the environment, naming a bad one', () => {
    const dir = dirWithConfig();
    expect(loadConfig({}, { PORT: '8080', FITLAKE_HOST: '0.0.0.0', FITLAKE_SERVING_CLOCK: 'system', FITLAKE_RELOAD_INTERVAL_MS: '0', FITLAKE_RATE_LIMIT_PER_MINUTE: '120' }, dir).serving).toMatchObject({ port: 8080, host: '0.0.0.0', clock: 'system', reloadIntervalMs: 0, rateLimitPerMinute: 120 });
    expect(loadConfig({}, { FITLAKE_HEADERS_TIMEOUT_MS: '5000', FITLAKE_REQUEST_TIMEOUT_MS: '20000', FITLAKE_MAX_CONNECTIONS: '64' }, dir).serving).toMatchObject({ headersTimeoutMs: 5000, requestTimeoutMs: 20000, maxConnections: 64 });
    expect(() => loadConfig({}, { FITLAKE_HEADERS_TIMEOUT_MS: '10' }, dir)).toThrow(expect.objectContaining({ field: 'serving.headersTimeoutMs' }));
    expect(loadConfig({}, {}, dir).serving.trustProxy).toBe(false);
    expect(loadConfig({}, { FITLAKE_TRUST_PROXY: '1' }, dir).serving.trustProxy).toBe(1);
    expect(loadConfig({}, { FITLAKE_TRUST_PROXY: 'loopback, 10.0.0.0/8' }, dir).serving.trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({}, { FITLAKE_TRUST_PROXY: 'every$thing' }, dir)).toThrow(expect.objectContaining({ field: 'serving.trustProxy' }));
    expect(() => loadConfig({}, { PORT: 'eighty' }, dir)).toThrow(expect.objectContaining({ field: 'PORT' }));
    expect(() => loadConfig({}, { PORT: '70000' }, dir)).toThrow(expect.objectContaining({ field: 'serving.port' }));
    expect(() => loadConfig({}, { FITLAKE_SERVING_CLOCK: 'sundial' }, dir)).toThrow(expect.objectContaining({ field: 'serving.clock' }));
    expect(() => loadConfig({}, { FITLAKE_RATE_LIMIT_PER_MINUTE: 'lots' }, dir)).toThrow(expect.objectContaining({ field: 'FITLAKE_RATE_LIMIT_PER_MINUTE', message: 'FITLAKE_RATE_LIMIT_PER_MINUTE must be an integer, got "lots"' }));
    expect(() => loadConfig({}, { FITLAKE_RATE_LIMIT_PER_MINUTE: '-1' }, dir)).toThrow(expect.objectContaining({ field: 'serving.rateLimitPerMinute' }));
  });

  it('reads the event source from the environment or the config file, naming the field at fault', () => {
    const dir = dirWithConfig();
    expect(loadConfig({}, {}, dir).source).toEqual({ type: 'landing' });
    expect(loadConfig({}, { FITLAKE_SOURCE: 'kafka' }, dir).source).toEqual({ type: 'kafka', brokers: ['127.0.0.1:9092'], topicPrefix: 'fitlake.', partitions: 3 });
    expect(loadConfig({}, { FITLAKE_KAFKA_BROKERS: 'k1:9092, k2:9093' }, dir).source).toMatchObject({ type: 'kafka', brokers: ['k1:9092', 'k2:9093'] });
    expect(() => loadConfig({}, { FITLAKE_SOURCE: 'pigeon' }, dir)).toThrow(expect.objectContaining({ field: 'FITLAKE_SOURCE', message: 'FITLAKE_SOURCE must be landing or kafka, got "pigeon"' }));
    expect(() => loadConfig({}, { FITLAKE_KAFKA_BROKERS: 'k1' }, dir)).toThrow(expect.objectContaining({ field: 'brokers.0', message: 'FITLAKE_KAFKA_BROKERS: brokers.0: host:port' }));
    const file = dirWithConfig({ source: { type: 'kafka', partitions: 0 } });
    expect(() => loadConfig({}, {}, file)).toThrow(expect.objectContaining({ field: 'source.partitions' }));
  });
});
