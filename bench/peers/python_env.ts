import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const VENV = join(__dirname, '..', '..', '.venv');

/**
 * The Python of the benchmark peers' virtual environment (`.venv`, git-ignored), created and given
 * `packages` on first use — peers are installed by the bench command, never by CI.
 */
export function peerPython(packages: string[], probe: string): string {
  const python = join(VENV, 'bin', 'python');
  if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  if (spawnSync(python, ['-c', `import ${probe}`]).status !== 0) {
    console.log(`installing benchmark peers into .venv: ${packages.join(' ')}`);
    execFileSync(python, ['-m', 'pip', 'install', '-q', ...packages], { stdio: 'inherit' });
  }
  return python;
}
