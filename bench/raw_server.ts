// The ceiling for bench:serve: the same lookup + score as the API on bare node:http (no framework,
// no validation library, no logging). Started as a child process: `tsx bench/raw_server.ts PORT`.
import { createServer } from 'node:http';
import { loadConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { buildContext } from '../serving/server';
import { scoreChurn } from '../training/churn/model';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const config = loadConfig({ logLevel: 'warn' });
  const { ctx } = await buildContext({ ...config, serving: { ...config.serving, reloadIntervalMs: 0 } }, createLogger('warn'));
  const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/predict/churn') {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', async () => {
        let id: unknown;
        try {
          id = JSON.parse(data).member_id;
        } catch {
          return send(res, 400, { error: 'bad json' });
        }
        if (typeof id !== 'string' || !ID.test(id)) return send(res, 400, { error: 'bad id' });
        const churn = ctx.models.current().churn!;
        const [f] = await churn.reader.read([id], ctx.now());
        if (f.freshness === 'missing') return send(res, 404, { error: 'unknown' });
        const [s] = scoreChurn(churn.model, [f.values]);
        send(res, 200, { member_id: id, churn_probability: s.probability, risk_band: s.band, top_features: s.contributions.slice(0, 5), model: { name: churn.name, version: churn.version, alias: churn.alias }, feature_timestamp: f.featureTs, freshness: f.freshness, missing_features: [] });
      });
      return;
    }
    const m = /^\/recommend\/([^/?]+)/.exec(req.url ?? '');
    if (req.method === 'GET' && m && ID.test(m[1])) {
      const rec = ctx.models.current().recommenders.classes!;
      const out = rec.model.recommend(m[1], 10, null);
      return send(res, 200, { member_id: m[1], kind: 'classes', fallback: out.fallback, items: out.items, model: { name: rec.name, version: rec.version, alias: rec.alias } });
    }
    if (req.url === '/healthz') return send(res, 200, { status: 'ok' });
    send(res, 404, { error: 'no route' });
  }).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
