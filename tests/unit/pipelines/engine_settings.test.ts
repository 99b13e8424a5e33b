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
});
