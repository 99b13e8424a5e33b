import { hostname } from 'node:os';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock, processGone, processTag, createExclusive, writeFileAtomic } from '../../../core/atomic_fs';
import { ConflictError } from '../../../core/errors';
import { tmpLake } from '../../helpers';

describe('atomic file helpers', () => {
  const lake = tmpLake();
  afterAll(() => lake.cleanup());

  it('writes whole files and leaves no temp file behind', () => {
    const p = join(lake.root, 'a', 'b.json');
    writeFileAtomic(p, 'one');
    writeFileAtomic(p, 'two', { durable: false });
    expect(readFileSync(p, 'utf8')).toBe('two');
    expect(readdirSync(join(lake.root, 'a'))).toEqual(['b.json']);
  });

  it('creates a file exclusively: the second writer loses and the first content stays', () => {
    const p = join(lake.root, 'log', '000001.json');
    expect(createExclusive(p, 'first')).toBe(true);
    expect(createExclusive(p, 'second')).toBe(false);
    expect(readFileSync(p, 'utf8')).toBe('first');
    expect(readdirSync(join(lake.root, 'log'))).toEqual(['000001.json']);
  });

  it('refuses a lock held by a live process and takes over one left by a dead process', () => {
    const p = join(lake.root, 'x.lock');
    writeFileSync(p, String(process.ppid));
    expect(() => acquireLock(p, 'the job')).toThrow(ConflictError);
    expect(() => acquireLock(p, 'the job')).toThrow(/the job is already running \(pid \d+/);
    writeFileSync(p, '2147483646');
    const release = acquireLock(p, 'the job');
    expect(JSON.parse(readFileSync(p, 'utf8'))).toMatchObject({ pid: process.pid });
    release();
    expect(existsSync(p)).toBe(false);
  });

  it('knows its holder by pid, start time and boot: a reused pid does not hold the lock', () => {
    const p = join(lake.root, 'y.lock');
    const release = acquireLock(p, 'the job');
    const mine = JSON.parse(readFileSync(p, 'utf8'));
    expect(mine).toEqual({ pid: process.pid, started: expect.stringMatching(/^\d+$/), boot: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    release();
    // the parent, recorded with its real start time: it holds the lock
    const parent = { pid: process.ppid, started: readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1].split(' ')[19], boot: mine.boot };
    writeFileSync(p, JSON.stringify(parent));
    expect(() => acquireLock(p, 'the job')).toThrow(`the job is already running (pid ${process.ppid}, lock ${p})`);
    // the same pid recorded with another start time (pid reused), or in another boot (a container restart): stale
    for (const stale of [{ ...parent, started: '1' }, { ...parent, boot: '00000000-0000-0000-0000-000000000000' }]) {
      writeFileSync(p, JSON.stringify(stale));
      acquireLock(p, 'the job')();
    }
  });

  it('tells from a process tag whether the process that wrote it is gone', () => {
    const mine = JSON.parse(processTag());
    expect(mine).toEqual({ host: hostname(), pid: process.pid, started: expect.stringMatching(/^\d+$/), boot: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const parent = { ...mine, pid: process.ppid, started: readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1].split(' ')[19] };
    expect([processTag(), JSON.stringify(parent)].map(processGone)).toEqual([false, false]);
    const gone = [{ ...parent, started: '1' }, { ...parent, pid: 2147483646 }, { ...mine, started: '1' }, { ...parent, boot: '00000000-0000-0000-0000-000000000000' }];
    expect(gone.map((t) => processGone(JSON.stringify(t)))).toEqual([true, true, true, true]);
    expect([JSON.stringify({ ...parent, started: '1', host: 'elsewhere' }), 'not json', '{"pid":"x"}'].map(processGone)).toEqual([false, false, false]);
  });
});
