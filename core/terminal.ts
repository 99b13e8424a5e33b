import { Writable } from 'node:stream';

/** What a live progress bar offers the lines written above it. */
export interface LiveLine {
  /** Draws the bar again on the cursor's (now empty) line. */
  redraw(): void;
}

let live: { stream: NodeJS.WritableStream; line: LiveLine } | null = null;

/** Marks `line` as the bar drawn at the bottom of `stream` (null: none), so log lines go above it. */
export function setLiveLine(stream: NodeJS.WritableStream, line: LiveLine | null): void {
  live = line ? { stream, line } : null;
}

/** Writes whole lines to `stream`; while a bar is drawn there, above it (the bar's line is cleared, then redrawn below). */
export function writeAbove(stream: NodeJS.WritableStream, text: string): void {
  if (live?.stream !== stream) {
    stream.write(text);
    return;
  }
  // clear the bar's line, write the text there, save the cursor at the start of the line below (the
  // bar restores to the saved position when it stops, as if it had started there), redraw the bar
  stream.write(`\r\x1b[2K${text}\x1b7`);
  live.line.redraw();
}

/** A stream whose writes go through `writeAbove` (a logger's destination on a terminal). */
export function aboveLiveLine(stream: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      writeAbove(stream, String(chunk));
      done();
    },
  });
}
