/**
 * Named crash points for failure testing. When `FITLAKE_FAULT` names a point, the process kills
 * itself there with SIGKILL — no cleanup, no finally blocks — exactly like a power cut or OOM kill.
 * A point may carry a count (`bronze.mid_move:3` fires on its third pass).
 */
const passes = new Map<string, number>();

export function faultPoint(name: string, env: NodeJS.ProcessEnv = process.env): void {
  const spec = env.FITLAKE_FAULT;
  if (!spec) return;
  const [point, countText] = spec.split(':');
  if (point !== name) return;
  const n = (passes.get(name) ?? 0) + 1;
  passes.set(name, n);
  if (n >= Number(countText ?? 1)) process.kill(process.pid, 'SIGKILL');
}
