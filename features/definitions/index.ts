import { defineFeatureService, type Entity, type FeatureService, type FeatureView } from '../define';
import { CATALOG_VIEWS } from './catalog_views';
import { ENTITIES } from './entities';
import { EVENT_VIEWS } from './event_views';
import { MEMBER_VIEWS } from './member_views';

/** The feature store's whole declaration: what `fitlake features apply` registers. */
export interface Definitions {
  entities: Entity[];
  views: FeatureView[];
  services: FeatureService[];
  /** Source files that define the rows of windowed views, built first, in this order. */
  spines: string[];
}

/** One feature service per model that reads through the store: what that model reads (a service no model reads is not declared). */
export const SERVICES = [
  defineFeatureService({
    name: 'churn',
    description: 'Everything the churn model reads about a member.',
    features: ['member_visits', 'member_retail', 'member_app', 'member_wearables', 'member_profile'],
  }),
  defineFeatureService({
    name: 'segmentation',
    description: 'Behaviour for member segmentation, whatever the club offers: wearables, visits, classes, peak hours, facilities, machines, app, supplements (no class-type mix: it mostly tells the clubs apart).',
    features: [
      'member_wearables', 'member_visits:visits_30d', 'member_visits:class_checkins_30d', 'member_visits:peak_share_90d', 'member_visits:facility_visits_30d',
      'member_visits:equipment_minutes_30d', 'member_app:app_sessions_30d', 'member_retail:supplement_share_90d',
    ],
  }),
  defineFeatureService({
    name: 'wearables',
    description: "What the wearables models read about a member besides the day's own summary: their usual burn (the calorie regressor) and their usual activities (the activity classifier).",
    features: ['member_wearables:avg_calories_30d', 'member_activity_mix'],
  }),
  defineFeatureService({
    name: 'recommend_classes',
    description: "The class recommender's interactions (every class check-in known at its cutoff) and each member's home club.",
    features: ['member_class_attendance', 'member_profile:home_club'],
  }),
  defineFeatureService({
    name: 'recommend_products',
    description: "The product recommender's interactions (members' daily units per product known at its cutoff) and each member's home club.",
    features: ['member_purchases', 'member_profile:home_club'],
  }),
  defineFeatureService({
    name: 'supplement_forecast',
    description: 'Daily units per product known at the forecast\'s cutoff, summed into weekly series.',
    features: ['product_daily_sales'],
  }),
];

export const DEFINITIONS: Definitions = {
  entities: ENTITIES,
  views: [...MEMBER_VIEWS, ...CATALOG_VIEWS, ...EVENT_VIEWS],
  services: SERVICES,
  spines: ['catalog_days', 'member_days', 'product_days', 'class_type_days'],
};
