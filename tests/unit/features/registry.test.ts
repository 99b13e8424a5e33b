import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DEFINITIONS } from '../../../features/definitions';
import { RegistryStore, validateDefinitions } from '../../../features/registry';
import { tmpLake } from '../../helpers';

const ROOT = join(__dirname, '..', '..', '..');

/** Applies the definitions (with a description changed by `tag`) from a separate process. */
function applyInChild(root: string, tag: string): Promise<number> {
  const code = `
    const { RegistryStore } = require('./features/registry');
    const { DEFINITIONS } = require('./features/definitions');
    const defs = { ...DEFINITIONS, services: DEFINITIONS.services.map((s) => ({ ...s, description: s.description + ' ${tag}' })) };
    for (let i = 0; i < 5; i++) RegistryStore.at(${JSON.stringify(root)}).apply(defs);`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    p.once('error', reject);
    p.once('exit', (c) => resolve(c ?? -1));
  });
}

describe('feature registry', () => {
  const lake = tmpLake();
  afterAll(() => lake.cleanup());

  it('versions changes and leaves identical re-applies alone', () => {
    const store = RegistryStore.at(join(lake.root, 'a'));
    expect(store.read()).toBeNull();
    const first = store.apply(DEFINITIONS, new Date('2026-01-01T00:00:00Z'));
    expect([first.changed, first.registry.version]).toEqual([true, 1]);
    expect(store.apply(DEFINITIONS).changed).toBe(false);
    const changed = { ...DEFINITIONS, services: [{ ...DEFINITIONS.services[0], description: 'other' }, ...DEFINITIONS.services.slice(1)] };
    const second = store.apply(changed);
    expect([second.changed, second.registry.version]).toEqual([true, 2]);
    expect(store.read(1)!.services[0].description).toBe(DEFINITIONS.services[0].description);
    expect(store.read()!.views.map((v) => v.name)).toEqual(DEFINITIONS.views.map((v) => v.name));
    expect(() => store.read(7)).toThrow('registry version 7 does not exist');
  });

  it('rejects definitions that do not hang together', () => {
    expect(() => validateDefinitions({ ...DEFINITIONS, views: [...DEFINITIONS.views, DEFINITIONS.views[0]] })).toThrow('two feature views named "member_visits"');
    expect(() => validateDefinitions({ ...DEFINITIONS, services: [{ name: 's', description: 'd', features: ['member_visits:nope'] }] })).toThrow(/unknown feature ref "member_visits:nope"/);
    expect(() => validateDefinitions({ ...DEFINITIONS, views: [{ ...DEFINITIONS.views[0], entities: ['gym'] }] })).toThrow('unknown entity "gym"');
  });

  it('stays valid when several processes apply at once', async () => {
    const root = join(lake.root, 'b');
    const codes = await Promise.all(['x', 'y', 'z'].map((t) => applyInChild(root, t)));
    expect(codes).toEqual([0, 0, 0]);
    const store = RegistryStore.at(root);
    const versions = store.versions();
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    for (const v of versions) expect(store.read(v)!.version).toBe(v);
    for (let i = 1; i < versions.length; i++) expect(store.read(versions[i])!.hash).not.toBe(store.read(versions[i - 1])!.hash);
    expect(versions.length).toBeGreaterThanOrEqual(3);
  });
});
