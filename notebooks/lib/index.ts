// The notebooks' one import: `const nb = require('./lib')` after `require('tsx/cjs')`.
import * as Plot from '@observablehq/plot';

export { Plot };
export { openGym, REPO, type Gym } from './gym';
export { chart, figures, fmt, table } from './show';
