#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so a fresh clone needs no build step.
require('tsx/cjs');
// A reader that went away (`fitlake … | head`) ends the command quietly, as for any Unix tool.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
require('../cli/main.ts').main(process.argv).then((code) => process.exit(code));
