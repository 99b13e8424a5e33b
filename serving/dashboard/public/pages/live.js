// Live: each club's occupancy from the stream's 30-second windows, updated as they land (Server-Sent Events).
import { chart, el, fmt, getJson, part, table } from '../lib.js';

export async function render(main) {
  const first = await getJson('/live/occupancy');
  await part(main, 'Occupancy now', () => {
    const box = el('div', { 'aria-live': 'polite' });
    let updates = 0;
    const draw = (clubs, windows) => {
      if (!clubs.length) return box.replaceChildren(el('p', {}, 'No live windows yet: start the stream (`fitlake stream`, fed by `fitlake simulate` or POST /ingest) and this page updates as windows close.'));
      const series = windows.filter((w) => w.metric === 'occupancy' && w.club_id);
      box.replaceChildren(
        el('p', { 'data-updates': updates }, updates ? `Updated ${updates === 1 ? 'once' : `${updates} times`} since the page opened; the latest window ended ${fmt.when(clubs.map((c) => c.window_end).sort().at(-1))}.` : 'Waiting for the next windows to close…'),
        table([['club_id', 'Club'], ['occupancy', 'Members inside', fmt.int], ['window_end', 'At', fmt.when]], clubs),
        series.length ? chart('Occupancy per club, 30-second windows', {
          x: { type: 'utc', label: null }, y: { grid: true, label: 'members inside' }, color: { legend: true },
          marks: [Plot.lineY(series, { x: (d) => new Date(d.window_end), y: 'value', stroke: 'club_id', curve: 'step-before' }), Plot.ruleY([0])],
        }) : null,
      );
    };
    draw(first.clubs, first.windows);
    let windows = first.windows;
    const events = new EventSource('/live/stream');
    events.addEventListener('windows', (e) => {
      const d = JSON.parse(e.data);
      windows = [...windows, ...d.windows].slice(-2000);
      updates += 1;
      draw(d.clubs, windows);
    });
    addEventListener('pagehide', () => events.close());
    return [first.error ? el('p', { class: 'error', role: 'alert' }, first.error) : null, box];
  });
}
