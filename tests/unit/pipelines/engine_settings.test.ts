import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { engineFrom } from '../../../core/config';
import { checkSparkPrerequisites } from '../../../pipelines/engine/spark/spark_engine';

describe('engine settings', () => {
  it('reads --engine and --master: DuckDB by default, Spark on local[2] unless a master is named', () => {
    expect(engineFrom(undefined, undefined)).toBeUndefined();
    expect(engineFrom('duckdb', undefined)).toEqual({ type: 'duckdb' });
    expect(engineFrom('spark', undefined)).toEqual({ type: 'spark', master: 'local[2]' });
    expect(engineFrom(undefined, 'spark://10.0.0.5:7077')).toEqual({ type: 'spark', master: 'spark://10.0.0.5:7077' });
    expect(engineFrom('spark', 'local[*]')).toEqual({ type: 'spark', master: 'local[*]' });
  });

  it('refuses what it cannot run, naming the flag', () => {
    expect(() => engineFrom('flink', undefined)).toThrow('--engine must be duckdb or spark, got "flink"');
    expect(() => engineFrom('duckdb', 'local[2]')).toThrow('--master is for --engine spark');
    expect(() => engineFrom('spark', 'mesos://x')).toThrow('--master: master: local[N], spark://…, k8s://… or yarn');
  });

  it('refuses to start Spark without PySpark, saying how to install it', () => {
    expect(() => checkSparkPrerequisites({ type: 'spark', master: 'local[2]', python: '/nonexistent/python' })).toThrow(
      '--engine spark needs Python with PySpark: /nonexistent/python does not exist; run npm run setup:spark',
    );
    expect(() => checkSparkPrerequisites({ type: 'spark', master: 'local[2]', python: '/usr/bin/python3' })).toThrow(
      /^--engine spark needs PySpark, sqlglot and pyarrow in \/usr\/bin\/python3; run npm run setup:spark/,
    );
  });

  it('refuses to start Spark without Java, saying what to install', () => {
    const saved = process.env.JAVA_HOME;
    process.env.JAVA_HOME = '/nonexistent/jdk';
    try {
      expect(() => checkSparkPrerequisites({ type: 'spark', master: 'local[2]' })).toThrow('--engine spark needs Java 17 or 21 (java on PATH or JAVA_HOME): apt-get install openjdk-17-jre-headless');
    } finally {
      if (saved === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = saved;
    }
  });

  it('refuses SQL it cannot carry to Spark, saying why; expands the engine functions in place', () => {
    const python = join(__dirname, '..', '..', '..', '.venv', 'bin', 'python');
    const script = [
      'import json, server',
      "server.MACROS = server.Macros('UTC')",
      'out = {}',
      "for k, q in {'asof': 'SELECT * FROM a ASOF JOIN b ON a.t >= b.t', 'parse': 'SELECT (', 'arity': 'SELECT fitlake_day_name(a, b) FROM t', 'ok': 'SELECT fitlake_iso_weekday(d) FROM t'}.items():",
      '    try: out[k] = server.to_spark(q)',
      "    except server.UnportableSql as e: out[k] = 'unportable: ' + str(e)",
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync(python, ['-c', script], { cwd: join(__dirname, '..', '..', '..', 'pipelines', 'engine', 'spark'), encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out).toEqual({
      asof: 'unportable: uses ASOF JOIN, which Spark has no equivalent for',
      parse: expect.stringMatching(/^unportable: does not parse as DuckDB SQL: /),
      arity: 'unportable: fitlake_day_name takes 1 argument(s), got 2',
      ok: 'SELECT (WEEKDAY((d)) + 1) FROM t',
    });
  });
});
