// Activity: active members over time, when each club is busy, class fill rates, facility use.
import { chart, day, el, field, fmt, getJson, month, part, select } from '../lib.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export async function render(main) {
  const a = await getJson('/ui/data/activity');
  await part(main, 'Active members', () => el('div', { class: 'grid' },
    chart('Daily active members (DAU)', {
      x: { type: 'utc', label: null }, y: { grid: true, label: 'members' },
      marks: [Plot.lineY(a.dau, { x: (d) => day(d.date), y: 'active_members', stroke: '#1f5fa8' }), Plot.ruleY([0])],
    }, [[['date', 'Date'], ['active_members', 'DAU', fmt.int], ['on_site_members', 'On site', fmt.int], ['app_members', 'App', fmt.int]], a.dau]),
    chart('Weekly active members (WAU), complete weeks', {
      x: { type: 'utc', label: null }, y: { grid: true, label: 'members' },
      marks: [Plot.lineY(a.wau.filter((w) => w.days_in_data === 7), { x: (d) => day(d.week_start), y: 'active_members', stroke: '#2a7f62', marker: 'dot' }), Plot.ruleY([0])],
    }, [[['week_start', 'Week of'], ['active_members', 'WAU', fmt.int], ['days_in_data', 'Days']], a.wau]),
    chart('Monthly active members (MAU)', {
      x: { type: 'band', label: null, tickFormat: month }, y: { grid: true, label: 'members' },
      marks: [Plot.barY(a.mau, { x: 'month_start', y: 'active_members', fill: '#6b4fa8' }), Plot.ruleY([0])],
    }, [[['month_start', 'Month'], ['active_members', 'MAU', fmt.int], ['days_in_data', 'Days']], a.mau]),
  ));
  const clubs = [...new Set(a.heatmap.map((r) => r.club_id))];
  await part(main, 'When members visit', () => {
    const holder = el('div');
    const draw = (club) => {
      const rows = a.heatmap.filter((r) => r.club_id === club);
      holder.replaceChildren(chart(`Facility visits per day by weekday and hour at club ${club}`, {
        width: 'wide', padding: 0.05, x: { label: 'hour of day' }, y: { domain: WEEKDAYS, label: null }, color: { scheme: 'blues', legend: true, label: 'visits per day' },
        marks: [Plot.cell(rows, { x: 'hour', y: (d) => d.weekday.slice(0, 3), fill: 'visits_per_day', inset: 0.5 })],
      }, [[['weekday', 'Weekday'], ['hour', 'Hour'], ['visits_per_day', 'Visits/day', (v) => fmt.num(v)]], rows]));
    };
    const pick = select(clubs.map((c) => [c, c]), clubs[0], { onchange: (e) => draw(e.target.value) });
    draw(clubs[0]);
    return [el('div', { class: 'controls' }, field('Club', pick)), holder];
  });
  await part(main, 'Class fill rates', () => el('div', { class: 'grid' },
    chart('Fill rate by class type (check-ins / seats)', {
      marginLeft: 90, x: { percent: true, grid: true, label: 'fill rate (%)' }, y: { label: null },
      marks: [Plot.barX(a.class_types, { y: 'class_type', x: 'fill_rate', fill: '#1f5fa8', sort: { y: '-x' } }), Plot.ruleX([0])],
    }, [[['class_type', 'Class type'], ['sessions', 'Sessions', fmt.int], ['checkins', 'Check-ins', fmt.int], ['seats', 'Seats', fmt.int], ['fill_rate', 'Fill rate', fmt.pct]], a.class_types]),
    chart('Fill rate by instructor', {
      marginLeft: 130, x: { percent: true, grid: true, label: 'fill rate (%)' }, y: { label: null },
      marks: [Plot.barX(a.instructors, { y: 'instructor', x: 'fill_rate', fill: '#2a7f62', sort: { y: '-x' } }), Plot.ruleX([0])],
    }, [[['instructor', 'Instructor'], ['sessions', 'Sessions', fmt.int], ['checkins', 'Check-ins', fmt.int], ['fill_rate', 'Fill rate', fmt.pct]], a.instructors]),
  ));
  await part(main, 'Facility utilisation', () => chart('Facility visits per day, by club', {
    width: 'wide', marginLeft: 110, x: { grid: true, label: 'visits per day' }, y: { label: null }, fy: { label: 'club' }, color: { legend: true },
    marks: [Plot.barX(a.facilities, { y: 'facility', x: 'visits_per_day', fy: 'club_id', fill: 'facility' }), Plot.ruleX([0])],
    height: 90 + 110 * clubs.length,
  }, [[['club_id', 'Club'], ['facility', 'Facility'], ['visits', 'Visits', fmt.int], ['visits_per_day', 'Per day', (v) => fmt.num(v, 1)], ['avg_minutes', 'Avg minutes', (v) => fmt.num(v, 1)]], a.facilities]));
}
