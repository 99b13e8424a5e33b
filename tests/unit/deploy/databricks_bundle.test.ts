import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..', '..');

/** A bundle `sync.include` pattern (`*`, `**`) as a regular expression over relative paths. */
const pattern = (p: string) =>
  new RegExp(`^${p.split('**/').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('(?:.*/)?')}$`);

interface Bundle {
  bundle: { name: string };
  variables: Record<string, { description: string; default: string | number }>;
  sync: { include: string[] };
  resources: { jobs: Record<string, { tasks: { task_key: string; spark_python_task: { python_file: string; parameters: string[] }; libraries: { pypi: { package: string } }[] }[] }> };
  targets: Record<string, { mode: string }>;
}

/**
 * The Databricks bundle, checked offline (the Databricks CLI's own validator cannot be installed
 * here): every task runs a file that exists with flags its entry point declares, every variable it
 * uses is declared, the files the job reads are synced, and its sqlglot is the one the Spark engine
 * is tested with.
 */
describe('databricks.yml', () => {
  const text = readFileSync(join(ROOT, 'databricks.yml'), 'utf8');
  const bundle = parse(text) as Bundle;
  const tasks = Object.values(bundle.resources.jobs).flatMap((j) => j.tasks);

  it('runs the job entry point with flags it declares', () => {
    expect(tasks.map((t) => t.spark_python_task.python_file)).toEqual(['pipelines/engine/spark/databricks_job.py']);
    const entry = readFileSync(join(ROOT, tasks[0].spark_python_task.python_file), 'utf8');
    const declared = new Set([...entry.matchAll(/add_argument\('(--[a-z-]+)'/g)].map((m) => m[1]));
    const flags = tasks[0].spark_python_task.parameters.filter((p) => p.startsWith('--'));
    expect(flags.filter((f) => !declared.has(f))).toEqual([]);
    expect(flags).toEqual(expect.arrayContaining(['--lakehouse', '--catalog', '--schema', '--timezone']));
  });

  it('declares every variable it uses, and every target has a mode', () => {
    const used = [...new Set([...text.matchAll(/\$\{var\.([a-z_]+)\}/g)].map((m) => m[1]))];
    expect(used.filter((v) => !bundle.variables[v])).toEqual([]);
    expect(Object.values(bundle.variables).every((v) => v.description && v.default !== undefined)).toBe(true);
    expect(Object.entries(bundle.targets).map(([t, v]) => [t, v.mode])).toEqual([
      ['dev', 'development'],
      ['prod', 'production'],
    ]);
  });

  it('syncs the files the job reads and pins the sqlglot the Spark engine is tested with', () => {
    const synced = (f: string) => bundle.sync.include.some((p) => pattern(p).test(f));
    const spark = readdirSync(join(ROOT, 'pipelines', 'engine', 'spark')).filter((f) => f.endsWith('.py')).map((f) => `pipelines/engine/spark/${f}`);
    expect(spark).toEqual(expect.arrayContaining(['pipelines/engine/spark/databricks_job.py', 'pipelines/engine/spark/server.py', 'pipelines/engine/spark/functions.py']));
    const models = ['silver', 'gold'].flatMap((l) => readdirSync(join(ROOT, 'pipelines', 'models', l)).map((f) => `pipelines/models/${l}/${f}`));
    expect(models.length).toBeGreaterThan(30);
    expect([...spark, ...models].filter((f) => !synced(f))).toEqual([]);
    expect(synced('pipelines/runner/run.ts')).toBe(false);
    const pinned = /SQLGLOT_VERSION=([\d.]+)/.exec(readFileSync(join(ROOT, 'scripts', 'install_spark.sh'), 'utf8'))?.[1];
    expect(tasks[0].libraries.map((l) => l.pypi.package)).toEqual([`sqlglot==${pinned}`]);
  });
});
