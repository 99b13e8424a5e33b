import { defineFeatureService, type Entity, type FeatureService, type FeatureView } from '../define';
import { CATALOG_VIEWS } from './catalog_views';
import { ENTITIES } from './entities';
import { MEMBER_VIEWS } from './member_views';

/** The feature store's whole declaration: what `fitlake features apply` registers. */
export interface Definitions {
  entities: Entity[];
  views: FeatureView[];
  services: FeatureService[];
  /** Source files that define the rows of windowed views, built first, in this order. */
  spines: string[];
}

export const SERVICES = [
  defineFeatureService({
    name: 'churn',
    description: 'Everything the churn model reads about a member.',
    features: ['member_visits', 'member_retail', 'member_app', 'member_wearables', 'member_profile'],
  }),
  defineFeatureService({
    name: 'recommender',
    description: 'Member context for recommendations and cold start: class mix, segment, plan, club.',
    features: [
      'member_visits:visits_30d',
      'member_visits:engagement_segment',
      'member_visits:spinning_share_90d',
      'member_visits:yoga_share_90d',
      'member_visits:zumba_share_90d',
      'member_visits:hiit_share_90d',
      'member_visits:boxing_share_90d',
      'member_visits:peloton_share_90d',
      'member_retail:supplement_share_90d',
      'member_retail:juice_bar_share_90d',
      'member_profile:plan',
      'member_profile:home_club',
      'member_profile:age_years',
    ],
  }),
];

export const DEFINITIONS: Definitions = {
  entities: ENTITIES,
  views: [...MEMBER_VIEWS, ...CATALOG_VIEWS],
  services: SERVICES,
  spines: ['catalog_days', 'member_days', 'product_days', 'class_type_days'],
};
