import { Command, CommanderError } from 'commander';
import { isAppError } from '../core/errors';
import { createLogger } from '../core/logger';
import { registerGenerate } from './generate_command';
import { registerIngest } from './ingest_command';
import { registerPipeline } from './pipeline_command';
import { registerFeatures } from './features_command';
import { registerReport } from './report_command';
import { registerServe } from './serve_command';
import { registerTrain } from './train_command';

/** The `fitlake` command line. Every subcommand has --help; errors exit non-zero with a message. */
export function buildProgram(): Command {
  const program = new Command('fitlake')
    .description('fitlake: lakehouse, feature store and model service for gyms')
    .option('--lakehouse <dir>', 'lakehouse root (env FITLAKE_LAKEHOUSE, default ./lakehouse)')
    .option('--timezone <tz>', "gym's IANA time zone (env FITLAKE_TIMEZONE, default America/New_York)")
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent (env FITLAKE_LOG_LEVEL)')
    .showHelpAfterError()
    .exitOverride();
  registerGenerate(program);
  registerIngest(program);
  registerPipeline(program);
  registerFeatures(program);
  registerTrain(program);
  registerServe(program);
  registerReport(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isAppError(e)) {
      process.stderr.write(`fitlake: ${e.message}\n`);
      return e.exitCode;
    }
    createLogger('error').error({ err: e }, 'unexpected failure');
    process.stderr.write(`fitlake: unexpected failure: ${(e as Error).message}\n`);
    return 70;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => process.exit(code));
}
