import type { Command } from 'commander';
import { serve } from '../serving/server';
import { context, intOption } from './common';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the prediction API (churn, recommendations, forecasts) on the champion models and the online store')
    .option('--port <n>', 'port (env PORT, default 3000)')
    .option('--host <addr>', 'bind address (env FITLAKE_HOST, default 127.0.0.1; 0.0.0.0 in containers)')
    .addHelpText('after', '\nEnv: FITLAKE_ADMIN_API_KEY enables POST /admin/reload; FITLAKE_SERVING_CLOCK=system|data; MLFLOW_TRACKING_URI selects the registry.\nDocs at /docs, OpenAPI at /openapi.json, metrics at /metrics.')
    .action(async (opts: { port?: string; host?: string }, cmd: Command) => {
      const { config, logger } = context(cmd, { existing: true });
      const port = intOption(opts.port, '--port');
      const cfg = { ...config, serving: { ...config.serving, ...(port === undefined ? {} : { port }), ...(opts.host ? { host: opts.host } : {}) } };
      await serve(cfg, logger);
      await new Promise(() => undefined);
    });
}
