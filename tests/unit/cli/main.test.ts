import { buildProgram, commandIn } from '../../../cli/main';

describe('fitlake command loading', () => {
  it('finds the command after global options, with or without their values inline', () => {
    expect(commandIn(['serve', '--port', '3001'])).toBe('serve');
    expect(commandIn(['--lakehouse', '/tmp/lake', '--log-level', 'warn', 'train', '--models', 'churn'])).toBe('train');
    expect(commandIn(['--lakehouse=/tmp/lake', 'generate'])).toBe('generate');
    expect(commandIn(['quality', 'report'])).toBe('pipeline');
    expect(commandIn(['dashboard', '--port', '3001'])).toBe('serve');
    expect(commandIn(['--help'])).toBeUndefined();
    expect(commandIn(['help', 'serve'])).toBeUndefined();
    expect(commandIn(['bogus'])).toBeUndefined();
    expect(commandIn([])).toBeUndefined();
  });

  it('registers only the command that runs, and every command when none (or an unknown one) is named', () => {
    const names = (args?: string[]) => buildProgram(args).commands.map((c) => c.name());
    expect(names(['--log-level', 'warn', 'serve', '--port', '3001'])).toEqual(['dashboard', 'serve']);
    expect(names(['quality', 'report'])).toEqual(['pipeline', 'quality']);
    const all = ['generate', 'ingest', 'stream', 'simulate', 'pipeline', 'quality', 'features', 'train', 'dashboard', 'serve', 'report'];
    expect(names()).toEqual(all);
    expect(names(['bogus'])).toEqual(all);
  });
});
