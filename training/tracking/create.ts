import type { Config } from '../../core/config';
import { FileRunTracker } from './file_tracker';
import { MlflowRestTracker } from './mlflow_tracker';
import type { RunTracker } from './run_tracker';

/** The configured RunTracker backend (`tracking.type`: file | mlflow). */
export function createRunTracker(config: Pick<Config, 'tracking'>, env: NodeJS.ProcessEnv = process.env): RunTracker {
  const t = config.tracking;
  switch (t.type) {
    case 'file':
      return new FileRunTracker(t.dir);
    case 'mlflow':
      return new MlflowRestTracker(t.uri, env);
  }
}
