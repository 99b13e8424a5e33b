import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { phase, type PhaseResult } from './lake';

const CHAIN = ['generate', 'ingest', 'pipeline-full', 'features', 'train'] as const;
const TARGETS = { chainMinutes: 45, peakRssMb: 8192, pipelineRatioOverEvents: 1.2 };

function chain(scale: string, phases: readonly (typeof CHAIN)[number][]): Record<string, PhaseResult> {
  const root = mkdtempSync(join(tmpdir(), `fitlake-bench-e2e-${scale}-`));
  try {
    const out: Record<string, PhaseResult> = {};
    for (const p of phases) {
      out[p] = phase(p, root, scale);
      console.log(`${scale} ${p}: ${out[p].seconds.toFixed(1)} s, peak RSS ${Math.round(out[p].peakRssMb)} MB`);
    }
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The whole chain on the embedded engine — generate, ingest, pipeline (full refresh), features
 * (apply, build, materialize), train — each phase in its own process: wall time and peak RSS per
 * phase. At `large` it also runs medium's generate/ingest/pipeline, for the pipeline's scaling
 * against the events' (#15 targets: chain ≤ 45 min, peak RSS ≤ 8 GB, ratio ≤ 1.2×).
 */
export function endToEnd(scale: string): Record<string, unknown> {
  const runs = chain(scale, CHAIN);
  const rows = CHAIN.map((p) => ({ phase: p, seconds: runs[p].seconds, peakRssMb: runs[p].peakRssMb, rows: runs[p].rows }));
  const total = rows.reduce((a, r) => a + r.seconds, 0);
  const peak = Math.max(...rows.map((r) => r.peakRssMb));
  console.table([...rows, { phase: 'chain', seconds: total, peakRssMb: peak, rows: runs.generate.rows }].map((r) => ({ ...r, seconds: r.seconds.toFixed(1), peakRssMb: Math.round(r.peakRssMb) })));
  const result: Record<string, unknown> = { benchmark: 'end_to_end', scale, rows, chainSeconds: total, peakRssMb: peak, targets: TARGETS };
  console.log(`chain ≤ ${TARGETS.chainMinutes} min → ${total <= TARGETS.chainMinutes * 60 ? 'met' : 'NOT met'}; peak RSS ≤ ${TARGETS.peakRssMb} MB → ${peak <= TARGETS.peakRssMb ? 'met' : 'NOT met'}`);
  if (scale === 'large') {
    const medium = chain('medium', ['generate', 'ingest', 'pipeline-full']);
    const events = runs.generate.rows / medium.generate.rows;
    const ratio = runs['pipeline-full'].seconds / medium['pipeline-full'].seconds / events;
    console.log(`pipeline large/medium ${(runs['pipeline-full'].seconds / medium['pipeline-full'].seconds).toFixed(2)}× for ${events.toFixed(2)}× the events: ${ratio.toFixed(2)}× the event ratio → ${ratio <= TARGETS.pipelineRatioOverEvents ? 'met' : 'NOT met'}`);
    Object.assign(result, { medium: { pipelineSeconds: medium['pipeline-full'].seconds, events: medium.generate.rows }, pipelineRatioOverEvents: ratio });
  }
  return result;
}
