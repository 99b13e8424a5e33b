import { defineFeatureView } from '../define';

export const productSales = defineFeatureView({
  name: 'product_sales',
  entities: ['product'],
  description: 'How each product sells: units, revenue and member buyers over trailing windows.',
  ttl: '2d',
  source: { kind: 'windowed', file: 'product_sales_facts', spine: 'product_days', sums: { units: [7, 28], revenue: [28], member_buyers: [28] } },
  schema: [
    { name: 'units_7d', type: 'int', description: 'Units sold in the 7 days before.' },
    { name: 'units_28d', type: 'int', description: 'Units sold in the 28 days before.' },
    { name: 'revenue_28d', type: 'float', description: 'Revenue in the 28 days before.' },
    { name: 'member_buyers_28d', type: 'int', description: 'Sum of daily distinct member buyers in the 28 days before.' },
  ],
});

export const classTypeDemand = defineFeatureView({
  name: 'class_type_demand',
  entities: ['class_type'],
  description: 'Demand for each class type: check-ins, seats offered and fill rate over 28 days.',
  ttl: '2d',
  source: { kind: 'windowed', file: 'class_type_facts', spine: 'class_type_days', sums: { checkins: [28], seats: [28], sessions: [28] } },
  schema: [
    { name: 'checkins_28d', type: 'int', description: 'Check-ins in the 28 days before.' },
    { name: 'sessions_28d', type: 'int', description: 'Sessions held in the 28 days before.' },
    { name: 'fill_rate_28d', type: 'float', description: 'Check-ins per seat offered in the 28 days before.', expr: 'coalesce(checkins_28d / nullif(seats_28d, 0), 0)::DOUBLE' },
  ],
});

export const CATALOG_VIEWS = [productSales, classTypeDemand];
