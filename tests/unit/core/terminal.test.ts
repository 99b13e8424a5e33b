import { Writable } from 'node:stream';
import { createLogger } from '../../../core/logger';
import { createProgress } from '../../../core/progress';

const ESC = String.fromCharCode(27);

/** A fake terminal: what was written, as the screen shows it line by line (\r and erase-line applied). */
function fakeTty(): { stream: NodeJS.WriteStream; raw: () => string; screen: () => string[] } {
  let raw = '';
  const w = new Writable({ write: (c, _e, done) => ((raw += String(c)), done()) }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY: true, columns: 100, rows: 40, cursorTo: (x: number, cb?: () => void) => (w.write(`\x1b[${x + 1}G`), cb?.(), true), clearLine: (_d: number, cb?: () => void) => (w.write('\x1b[K'), cb?.(), true), moveCursor: () => true, getWindowSize: () => [100, 40] });
  // a line is rewritten from its start by \r, cursor-to-column-1 or erase-line; other escapes move nothing we check
  const screen = () => {
    const lines: string[] = [''];
    for (const token of raw.split(new RegExp(`(\\r|\\n|${ESC}\\[[0-9;?]*[A-Za-z]|${ESC}[78])`))) {
      if (token === '\n') lines.push('');
      else if (token === '\r' || token === `${ESC}[2K` || token === `${ESC}[1G`) lines[lines.length - 1] = '';
      else if (!token.startsWith(ESC)) lines[lines.length - 1] += token;
    }
    return lines;
  };
  return { stream: w, raw: () => raw, screen };
}

describe('terminal output', () => {
  it('writes readable log lines above the progress bar, never glued to it', () => {
    const tty = fakeTty();
    const logger = createLogger('info', 'auto', tty.stream);
    const progress = createProgress(logger, tty.stream);
    progress.start('pipeline models', 3);
    for (let i = 1; i <= 3; i++) {
      progress.tick();
      logger.info({ model: `m${i}`, rows: i * 10 }, 'built');
    }
    progress.stop();
    const raw = tty.raw();
    expect(raw).not.toContain('{"level"');
    const logLines = tty.screen().filter((l) => l.includes('built'));
    expect(logLines).toHaveLength(3);
    for (const [i, l] of logLines.entries()) {
      expect(l).toMatch(new RegExp(`^\\[\\d{2}:\\d{2}:\\d{2}\\] INFO: built \\{"model":"m${i + 1}","rows":${(i + 1) * 10}\\}$`));
    }
  });

  it('writes JSON lines when asked, even on a terminal, and on anything that is not one', () => {
    const tty = fakeTty();
    createLogger('info', 'json', tty.stream).info({ rows: 1 }, 'built');
    expect(JSON.parse(tty.screen().find((l) => l.startsWith('{'))!)).toMatchObject({ level: 30, msg: 'built', rows: 1 });
    let out = '';
    const pipe = new Writable({ write: (c, _e, done) => ((out += String(c)), done()) }) as unknown as NodeJS.WriteStream;
    createLogger('info', 'auto', pipe).info('plain');
    expect(JSON.parse(out)).toMatchObject({ msg: 'plain', app: 'fitlake' });
  });
});
