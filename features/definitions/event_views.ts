import { defineFeatureView, type Feature, type FeatureView } from '../define';

/** An events view read from the source file of its name: offline only, no TTL (each row is one event, read as of a time). */
const eventsView = (name: string, entity: string, description: string, schema: Feature[]): FeatureView =>
  defineFeatureView({ name, entities: [entity], description, ttl: '0d', online: false, source: { kind: 'events', file: name }, schema });

const day = (what: string): Feature => ({ name: 'day', type: 'string', description: `The local day of the ${what} (YYYY-MM-DD).` });
const product = (what: string): Feature[] => [
  { name: 'product_name', type: 'string', description: "The product's name." },
  { name: 'category', type: 'string', description: "The product's category." },
  { name: 'units', type: 'float', description: `Units ${what} that day (of the lines known at created_ts).` },
];

/** Events views: what models read as every event known at a time (interactions, daily sales). */
export const EVENT_VIEWS = [
  eventsView('member_class_attendance', 'member', "Each class a member checked into, with the weekly slot it was in: the class recommender's interactions.", [
    day('check-in'),
    { name: 'club_id', type: 'string', description: 'The club the class was held at.' },
    { name: 'class_type', type: 'string', description: 'The kind of class.' },
    { name: 'weekday', type: 'int', description: 'The local weekday of the session (0 = Sunday).' },
    { name: 'start_minute', type: 'int', description: 'The session start, in minutes past local midnight.' },
  ]),
  eventsView('member_purchases', 'member', "A member's units of each product per day: the product recommender's interactions.", [
    day('purchase'),
    { name: 'sku', type: 'string', description: 'The product bought (canonical SKU).' },
    ...product('bought'),
  ]),
  eventsView('product_daily_sales', 'product', "Units of each product sold per local day, members and walk-ins: the supplement forecast's series.", [day('sales'), ...product('sold')]),
];
