// Loads the module of the page the server named (data-page) and lets it fill <main>.
import { status } from './lib.js';

const main = document.querySelector('main');
const page = main.dataset.page;

import(`./pages/${page}.js`)
  .then(async (mod) => {
    await mod.render(main);
    status(main, '');
    main.setAttribute('data-ready', 'true');
  })
  .catch((e) => {
    status(main, `Could not load this page: ${e.message}`, true);
    main.setAttribute('data-ready', 'error');
  });
