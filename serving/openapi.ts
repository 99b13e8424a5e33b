import { createHash } from 'node:crypto';
import { z } from 'zod';
import * as S from './schemas';

interface Op {
  method: 'get' | 'post';
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  response: z.ZodType;
  errors: number[];
  security?: boolean;
}

const json = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' });

function operations(maxBatch: number): Op[] {
  return [
    { method: 'post', path: '/predict/churn', summary: 'Churn probability, risk band and top contributing features for one member or a batch', body: S.predictChurnBody(maxBatch), response: z.union([S.ChurnPrediction, S.ChurnBatch]), errors: [400, 404, 503] },
    { method: 'post', path: '/predict/churn/what-if', summary: "A member's churn probability with some inputs changed (what the model says if they visited more, changed plan…), beside the current one", body: S.WhatIfBody, response: S.WhatIf, errors: [400, 404, 503] },
    { method: 'get', path: '/recommend/{member}', summary: 'Ranked classes or products for a member, with reasons; popularity at their club on cold start', params: S.MemberParams, query: S.RecommendQuery, response: S.Recommendations, errors: [400, 404, 503] },
    { method: 'get', path: '/forecast/supplements', summary: 'Weekly supplement sales forecast per SKU with 80% and 95% intervals', query: S.ForecastQuery, response: S.ForecastResponse, errors: [400, 404, 503] },
    { method: 'get', path: '/members/{member}/features', summary: "A member's online features with their timestamp and freshness", params: S.MemberParams, response: S.MemberFeatures, errors: [400, 404] },
    { method: 'post', path: '/ingest/{feed}', summary: "A JSON array of one feed's events (at most 5,000), validated against the feed's contract; 202 once durable (Kafka acks=all or a fsynced landing file), 503 with Retry-After when not (X-API-Key: FITLAKE_INGEST_API_KEY)", params: S.IngestParams, body: z.array(z.record(z.string(), z.unknown())), response: S.IngestAccepted, errors: [400, 401, 404, 413, 503], security: true },
    { method: 'get', path: '/live/occupancy', summary: "Every club's occupancy at the end of its latest final 30-second window (from fitlake stream), and the recent windows; GET /live/stream sends the same as Server-Sent Events", response: S.LiveOccupancy, errors: [503] },
    { method: 'get', path: '/live/members/{member}', summary: "A member's live features (member_live: today's check-ins, app sessions, spend, latest class check-in), as the stream last wrote them", params: S.MemberParams, response: S.MemberLive, errors: [400, 404, 503] },
    { method: 'get', path: '/models', summary: 'Served models: versions, aliases, load errors', response: S.Models, errors: [] },
    { method: 'post', path: '/admin/reload', summary: 'Re-read the registry aliases and swap in new champions (X-API-Key)', response: z.object({ changed: z.array(z.string()) }), errors: [401, 503], security: true },
    { method: 'get', path: '/healthz', summary: 'Liveness', response: S.Health, errors: [] },
    { method: 'get', path: '/readyz', summary: 'Readiness: models and online store loaded', response: S.Ready, errors: [503] },
  ];
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function openApiDocument(maxBatch: number): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations(maxBatch)) {
    const parameters = [
      ...Object.entries(op.params?.shape ?? {}).map(([name, s]) => ({ name, in: 'path', required: true, schema: json(s as z.ZodType, 'input') })),
      ...Object.entries(op.query?.shape ?? {}).map(([name, s]) => ({ name, in: 'query', required: !(s as z.ZodType).safeParse(undefined).success, schema: json(s as z.ZodType, 'input') })),
    ];
    const responses: Record<string, unknown> = { 200: { description: 'OK', content: { 'application/json': { schema: json(op.response, 'output') } } } };
    for (const code of [...op.errors, 429]) responses[code] = { description: { 400: 'Invalid input (the field at fault is named)', 401: 'Missing or wrong API key', 404: 'Not found', 429: 'Rate limited', 503: 'Not ready' }[code], content: { 'application/json': { schema: json(S.ErrorResponse, 'output') } } };
    paths[op.path] = {
      ...paths[op.path],
      [op.method]: {
        summary: op.summary,
        ...(parameters.length ? { parameters } : {}),
        ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(op.body, 'input') } } } } : {}),
        ...(op.security ? { security: [{ apiKey: [] }] } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'fitlake API', version: '1.0.0', description: 'Churn risk, recommendations and supplement forecasts for gyms, served from the fitlake model registry and online feature store.' },
    paths,
    components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
  };
}

const DOCS_STYLE = 'body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}h2{font-size:1.1em;border-top:1px solid #ddd;padding-top:1em}.m{background:#1f77b4;color:#fff;padding:2px 6px;border-radius:3px;font-size:.8em}pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:.8em}';

/** The docs page's CSP: nothing but its own inline style (by hash) and links. */
export const DOCS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(DOCS_STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

/** A self-contained HTML page rendering the document (no CDN: the API may run without internet). */
export function docsPage(doc: Record<string, unknown>): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  const paths = doc.paths as Record<string, Record<string, { summary: string; parameters?: { name: string; in: string; required: boolean }[]; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, unknown> }>>;
  const sections = Object.entries(paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const params = (op.parameters ?? []).map((p) => `<li><code>${esc(p.name)}</code> (${p.in}${p.required ? ', required' : ''})</li>`).join('');
      const body = op.requestBody ? `<details><summary>request body</summary><pre>${esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2))}</pre></details>` : '';
      const ok = (op.responses['200'] as { content: Record<string, { schema: unknown }> }).content['application/json'].schema;
      return `<section><h2><span class="m">${method.toUpperCase()}</span> ${esc(path)}</h2><p>${esc(op.summary)}</p>${params ? `<ul>${params}</ul>` : ''}${body}<details><summary>200 response</summary><pre>${esc(JSON.stringify(ok, null, 2))}</pre></details><p>errors: ${Object.keys(op.responses).filter((c) => c !== '200').join(', ')}</p></section>`;
    }),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>fitlake API</title><style>${DOCS_STYLE}</style></head><body><h1>fitlake API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>${sections.join('')}</body></html>`;
}
