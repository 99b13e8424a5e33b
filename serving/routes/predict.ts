import type { IRouter } from 'express';
import { NotFoundError, UnavailableError } from '../../core/errors';
import type { EntityFeatures } from '../../features/online/entity_reader';
import { scoreChurn } from '../../training/churn/model';
import type { ApiContext } from '../context';
import { parse, route, sendJson } from '../http';
import type { ModelSet } from '../models';
import { predictChurnBody } from '../schemas';

const TOP_FEATURES = 5;

type Churn = NonNullable<ModelSet['churn']>;

function prediction(churn: Churn, f: EntityFeatures, score: ReturnType<typeof scoreChurn>[number]) {
  return {
    member_id: f.key,
    churn_probability: score.probability,
    risk_band: score.band,
    average_member_probability: score.averageProbability,
    top_features: score.contributions.slice(0, TOP_FEATURES),
    model: { name: churn.name, version: churn.version, alias: churn.alias },
    feature_timestamp: f.featureTs,
    freshness: f.freshness,
    missing_features: missing(f.values),
  };
}

function missing(values: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k in values) if (values[k] === null) out.push(k);
  return out;
}

const unknown = (id: string) => `member ${id} has no features in the online store (unknown member, or never materialized)`;

/** Scores the rows that have features; counts every row's freshness and the predictions made. */
function score(ctx: ApiContext, churn: Churn, rows: EntityFeatures[]): Map<string, ReturnType<typeof prediction>> {
  const known = rows.filter((r) => r.freshness !== 'missing');
  const scores = scoreChurn(churn.model, known.map((r) => r.values));
  for (const r of rows) ctx.metrics.freshness.add(r.freshness, () => ({ freshness: r.freshness }));
  ctx.metrics.predictions.add(churn, () => ({ model: churn.name, version: churn.version }), known.length);
  return new Map(known.map((r, i) => [r.key, prediction(churn, r, scores[i])]));
}

/** POST /predict/churn: one member (404 when unknown) or a batch (unknown members get an error entry). */
export function predictRoutes(router: IRouter, ctx: ApiContext): void {
  const schema = predictChurnBody(ctx.maxBatch);
  router.post(
    '/predict/churn',
    route(async (req, res) => {
      const body = parse(schema, req.body, 'body');
      const churn = ctx.models.current().churn;
      if (!churn) throw new UnavailableError(`churn model not loaded: ${ctx.models.current().errors.churn ?? 'loading'}`);
      if ('member_id' in body) {
        const p = score(ctx, churn, await churn.reader.read([body.member_id], ctx.now())).get(body.member_id);
        if (!p) throw new NotFoundError(unknown(body.member_id), 'member_id');
        return sendJson(res, p);
      }
      const byKey = score(ctx, churn, await churn.reader.read(body.member_ids, ctx.now()));
      sendJson(res, { predictions: body.member_ids.map((id) => byKey.get(id) ?? { member_id: id, error: { code: 'not_found', message: unknown(id) } }) });
    }),
  );
}
