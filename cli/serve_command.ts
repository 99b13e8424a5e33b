import type { Command } from 'commander';
import { serve } from '../serving/server';
import { context, intOption } from './common';

type ServeOptions = { port?: string; host?: string };

async function run(opts: ServeOptions, cmd: Command, what: 'api' | 'dashboard'): Promise<void> {
  const { config, logger } = context(cmd, { existing: true });
  const port = intOption(opts.port, '--port');
  const cfg = { ...config, serving: { ...config.serving, ...(port === undefined ? {} : { port }), ...(opts.host ? { host: opts.host } : {}) } };
  const { server } = await serve(cfg, logger);
  const address = server.address();
  if (what === 'dashboard' && typeof address === 'object' && address) process.stderr.write(`fitlake dashboard: http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/ui\n`);
  await new Promise(() => undefined);
}

export function registerServe(program: Command): void {
  program
    .command('dashboard')
    .description('run the dashboard for gym managers and data scientists at /ui (the API it reads from is served with it)')
    .option('--port <n>', 'port (env PORT, default 3000)')
    .option('--host <addr>', 'bind address (env FITLAKE_HOST, default 127.0.0.1; 0.0.0.0 in containers)')
    .addHelpText('after', '\nPages: overview, activity, revenue, churn (and each member), recommendations, forecast, models, what-if, live.\nThe same pages are at /ui of `fitlake serve`.')
    .action((opts: ServeOptions, cmd: Command) => run(opts, cmd, 'dashboard'));
  program
    .command('serve')
    .description('run the prediction API (churn, recommendations, forecasts) on the champion models and the online store')
    .option('--port <n>', 'port (env PORT, default 3000)')
    .option('--host <addr>', 'bind address (env FITLAKE_HOST, default 127.0.0.1; 0.0.0.0 in containers)')
    .addHelpText('after', '\nEnv: FITLAKE_ADMIN_API_KEY enables POST /admin/reload; FITLAKE_SERVING_CLOCK=system|data; MLFLOW_TRACKING_URI selects the registry.\nDocs at /docs, OpenAPI at /openapi.json, metrics at /metrics, the dashboard at /ui.')
    .action((opts: ServeOptions, cmd: Command) => run(opts, cmd, 'api'));
}
