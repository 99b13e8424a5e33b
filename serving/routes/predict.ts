import type { IRouter } from 'express';
import { NotFoundError, ValidationError } from '../../core/errors';
import type { EntityFeatures } from '../../features/online/entity_reader';
import { churnInputs, scoreChurn } from '../../training/churn/model';
import type { ApiContext } from '../context';
import { parse, route, sendJson } from '../http';
import { servedChurn, type ModelSet } from '../models';
import { predictChurnBody, WhatIfBody } from '../schemas';

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

/** The member's feature row with `set` applied; a feature the model does not read, or a value of the wrong kind, is a 400 naming it. */
function changed(churn: Churn, values: Record<string, unknown>, set: Record<string, number | string>): Record<string, unknown> {
  const inputs = churnInputs(churn.model);
  const numeric = new Set(inputs.numeric);
  const categorical = new Map(inputs.categorical.map((c) => [c.name, c]));
  for (const [name, value] of Object.entries(set)) {
    const field = `set.${name}`;
    const category = categorical.get(name);
    if (numeric.has(name) && typeof value !== 'number') throw new ValidationError(`${field}: ${name} is a number`, field);
    if (category && typeof value !== 'string') throw new ValidationError(`${field}: ${name} is a category, one of ${category.values.join(', ')}`, field);
    if (category?.complete && !category.values.includes(value as string)) throw new ValidationError(`${field}: ${JSON.stringify(value)} is not a ${name} the model knows (${category.values.join(', ')})`, field);
    if (!numeric.has(name) && !category) throw new ValidationError(`${field}: the churn model v${churn.version} does not read ${name} (it reads ${[...numeric, ...categorical.keys()].join(', ')})`, field);
  }
  return { ...values, ...set };
}

/** POST /predict/churn: one member (404 when unknown) or a batch (unknown members get an error entry). */
export function predictRoutes(router: IRouter, ctx: ApiContext): void {
  const schema = predictChurnBody(ctx.maxBatch);
  router.post(
    '/predict/churn',
    route(async (req, res) => {
      const body = parse(schema, req.body, 'body');
      const churn = servedChurn(ctx.models.current());
      if ('member_id' in body) {
        const p = score(ctx, churn, await churn.reader.read([body.member_id], ctx.now())).get(body.member_id);
        if (!p) throw new NotFoundError(unknown(body.member_id), 'member_id');
        return sendJson(res, p);
      }
      const byKey = score(ctx, churn, await churn.reader.read(body.member_ids, ctx.now()));
      sendJson(res, { predictions: body.member_ids.map((id) => byKey.get(id) ?? { member_id: id, error: { code: 'not_found', message: unknown(id) } }) });
    }),
  );
  router.post(
    '/predict/churn/what-if',
    route(async (req, res) => {
      const body = parse(WhatIfBody, req.body, 'body');
      const churn = servedChurn(ctx.models.current());
      const [f] = await churn.reader.read([body.member_id], ctx.now());
      if (!f || f.freshness === 'missing') throw new NotFoundError(unknown(body.member_id), 'member_id');
      const values = changed(churn, f.values, body.set);
      const [now, then] = scoreChurn(churn.model, [f.values, values]);
      sendJson(res, { member_id: f.key, set: body.set, current: prediction(churn, f, now), what_if: prediction(churn, { ...f, values }, then) });
    }),
  );
}
