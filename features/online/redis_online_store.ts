import Redis from 'ioredis';
import { UnavailableError } from '../../core/errors';
import type { LatestRow } from '../offline/offline_store';
import type { OnlineStore, StoredRow, ViewRead } from './online_store';

/** Writes a hash's fields only when its stored `_ts:<view>` is not newer than the row's feature_ts. */
const WRITE_IF_NEWER = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored and tonumber(stored) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('SADD', KEYS[2], KEYS[1])
return 1`;

/** A view's JSON values (`r[from]`…) as one object, parsed in one JSON.parse (a missing field is null). */
function parseValues(names: readonly string[], r: readonly (string | null)[], from: number): Record<string, unknown> {
  let json = '[';
  for (let i = 0; i < names.length; i++) json += (i ? ',' : '') + (r[from + i] ?? 'null');
  const parsed = JSON.parse(json + ']') as unknown[];
  const values: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) values[names[i]] = parsed[i];
  return values;
}

export interface RedisOptions {
  host: string;
  port: number;
  /** Prefix of every key, so several projects can share a server. */
  keyPrefix: string;
  /** From the environment (FITLAKE_REDIS_PASSWORD), never from a config file. */
  password?: string;
  /**
   * Batch the commands issued in one event-loop turn into one pipeline (ioredis auto-pipelining).
   * Off by default: against a Redis on the same host it raised the tail latency under load
   * (`npm run bench -- --only online_redis`); it saves round trips to a distant server.
   */
  autoPipelining?: boolean;
}

/**
 * Redis online store in Feast's layout: one hash per entity key (`<prefix><entity>:<key>`), a field
 * per `view:feature` (JSON value) plus `_ts:view` and `_created:view`; a set per view lists its keys.
 * A read of one entity is one HMGET across all requested views; write batches are pipelined.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly type = 'redis';
  private readonly redis: Redis;

  private readonly fields = new WeakMap<readonly ViewRead[], string[]>();

  /** The connection's last error (ioredis reports them as events; the failing command only says "closed"). */
  private lastError: Error | null = null;

  constructor(private readonly opts: RedisOptions) {
    this.redis = new Redis({ host: opts.host, port: opts.port, password: opts.password, lazyConnect: true, maxRetriesPerRequest: 2, enableAutoPipelining: opts.autoPipelining === true });
    this.redis.on('error', (e: Error) => (this.lastError = e));
    this.redis.defineCommand('fitlakeWrite', { numberOfKeys: 2, lua: WRITE_IF_NEWER });
  }

  /** Runs a Redis call; a failure while the connection is not ready is an UnavailableError saying where and what to do. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      return await fn();
    } catch (e) {
      if (this.redis.status === 'ready') throw e;
      const reason = (this.lastError ?? (e as Error)).message;
      throw new UnavailableError(`cannot reach the Redis online store at ${this.opts.host}:${this.opts.port} (${reason}): start redis-server, or set FITLAKE_REDIS_HOST / FITLAKE_REDIS_PORT`, e);
    }
  }

  private key(entity: string, key: string): string {
    return `${this.opts.keyPrefix}${entity}:${key}`;
  }

  private members(view: string): string {
    return `${this.opts.keyPrefix}_view:${view}`;
  }

  async connect(): Promise<void> {
    await this.call(async () => undefined);
  }

  write(view: string, entity: string, names: string[], rows: LatestRow[]): Promise<number> {
    return this.call(async () => {
      let written = 0;
      for (let i = 0; i < rows.length; i += 1000) {
        const pipe = this.redis.pipeline();
        for (const r of rows.slice(i, i + 1000)) {
          const fields = [`_ts:${view}`, String(r.featureTs.getTime()), `_created:${view}`, String(r.createdTs.getTime()), ...names.flatMap((n, j) => [`${view}:${n}`, JSON.stringify(r.values[j] ?? null)])];
          (pipe as unknown as { fitlakeWrite(...a: string[]): void }).fitlakeWrite(this.key(entity, r.key), this.members(view), `_ts:${view}`, String(r.featureTs.getTime()), ...fields);
        }
        const results = (await pipe.exec()) ?? [];
        for (const [err, res] of results) {
          if (err) throw err;
          written += Number(res);
        }
      }
      return written;
    });
  }

  /** The HMGET fields of a set of views, built once per set (a reader asks for the same set on every call). */
  private fieldsOf(views: readonly ViewRead[]): string[] {
    let fields = this.fields.get(views);
    if (!fields) {
      fields = views.flatMap((v) => [`_ts:${v.view}`, `_created:${v.view}`, ...v.names.map((n) => `${v.view}:${n}`)]);
      this.fields.set(views, fields);
    }
    return fields;
  }

  read(entity: string, views: readonly ViewRead[], keys: readonly string[]): Promise<(StoredRow | null)[][]> {
    return this.call(async () => {
      const fields = this.fieldsOf(views);
      const replies = await Promise.all(keys.map((k) => this.redis.hmget(this.key(entity, k), ...fields)));
      let offset = 0;
      return views.map((v) => {
        const at = offset;
        offset += v.names.length + 2;
        return replies.map((r) => (r[at] === null ? null : { featureTs: Number(r[at]), createdTs: Number(r[at + 1]), values: parseValues(v.names, r, at + 2) }));
      });
    });
  }

  count(view: string): Promise<number> {
    return this.call(async () => {
      return this.redis.scard(this.members(view));
    });
  }

  /** Deletes every key under this store's prefix (tests and re-seeding). */
  clear(): Promise<void> {
    return this.call(async () => {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.opts.keyPrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await this.redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    });
  }

  async close(): Promise<void> {
    if (this.redis.status !== 'end' && this.redis.status !== 'wait') await this.redis.quit();
    else this.redis.disconnect();
  }
}
