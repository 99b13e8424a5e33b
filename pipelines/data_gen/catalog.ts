/** Static reference data of the simulated gym chain: plans, classes, facilities, machines, products. */

export interface Plan {
  code: string;
  monthly: number;
  annual: number;
  /** Share of new members choosing it. */
  share: number;
  offPeakOnly?: boolean;
}
export const PLANS: readonly Plan[] = [
  { code: 'basic', monthly: 29.99, annual: 299, share: 0.36 },
  { code: 'plus', monthly: 49.99, annual: 499, share: 0.24 },
  { code: 'elite', monthly: 89.99, annual: 899, share: 0.1 },
  { code: 'student', monthly: 19.99, annual: 199, share: 0.12 },
  { code: 'family', monthly: 119.99, annual: 1199, share: 0.08 },
  { code: 'off_peak', monthly: 24.99, annual: 249, share: 0.1, offPeakOnly: true },
];
/** Upgrade/downgrade ladder by price. */
export const PLAN_LADDER = ['student', 'off_peak', 'basic', 'plus', 'elite', 'family'];

export interface ClassType {
  code: string;
  minutes: number;
  capacity: [number, number];
  /** Wearable activity logged on a day with this class. */
  activity: ActivityType;
  popularity: number;
}
export const CLASS_TYPES: readonly ClassType[] = [
  { code: 'spinning', minutes: 45, capacity: [20, 30], activity: 'cycling', popularity: 1.4 },
  { code: 'yoga', minutes: 60, capacity: [18, 30], activity: 'yoga', popularity: 1.3 },
  { code: 'stretch', minutes: 30, capacity: [15, 25], activity: 'yoga', popularity: 0.7 },
  { code: 'peloton', minutes: 45, capacity: [12, 16], activity: 'cycling', popularity: 0.9 },
  { code: 'hiit', minutes: 45, capacity: [16, 24], activity: 'gym_workout', popularity: 1.1 },
  { code: 'pilates', minutes: 50, capacity: [12, 20], activity: 'yoga', popularity: 0.9 },
  { code: 'boxing', minutes: 45, capacity: [14, 20], activity: 'gym_workout', popularity: 0.7 },
  { code: 'zumba', minutes: 55, capacity: [20, 35], activity: 'gym_workout', popularity: 0.6 },
  { code: 'barre', minutes: 45, capacity: [12, 18], activity: 'yoga', popularity: 0.5 },
  { code: 'aqua_fit', minutes: 45, capacity: [12, 20], activity: 'swimming', popularity: 0.4 },
];

export const FACILITIES = [
  { code: 'sauna', meanMinutes: 18 },
  { code: 'pool', meanMinutes: 40 },
  { code: 'steam_room', meanMinutes: 15 },
  { code: 'hot_tub', meanMinutes: 20 },
  { code: 'cold_plunge', meanMinutes: 4 },
] as const;

export const MACHINES = [
  { code: 'treadmill', kind: 'cardio' },
  { code: 'elliptical', kind: 'cardio' },
  { code: 'rower', kind: 'cardio' },
  { code: 'upright_bike', kind: 'cardio' },
  { code: 'stair_climber', kind: 'cardio' },
  { code: 'leg_press', kind: 'strength' },
  { code: 'chest_press', kind: 'strength' },
  { code: 'lat_pulldown', kind: 'strength' },
  { code: 'cable_station', kind: 'strength' },
  { code: 'smith_machine', kind: 'strength' },
  { code: 'shoulder_press', kind: 'strength' },
  { code: 'leg_curl', kind: 'strength' },
] as const;

export const ACTIVITY_TYPES = ['walking', 'running', 'cycling', 'swimming', 'yoga', 'gym_workout', 'hiking'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
/**
 * Daily wearable summary distributions per activity. Deliberately overlapping: steps alone do not
 * separate activities (a long walk and a run look alike; yoga and swimming days both have few steps).
 */
export const ACTIVITY_PROFILE: Record<ActivityType, { steps: [number, number]; kcalPerKg: [number, number]; hr: [number, number] }> = {
  walking: { steps: [9500, 3200], kcalPerKg: [28, 6], hr: [88, 10] },
  running: { steps: [12500, 3800], kcalPerKg: [36, 8], hr: [118, 14] },
  cycling: { steps: [6200, 2800], kcalPerKg: [33, 8], hr: [112, 14] },
  swimming: { steps: [4800, 2200], kcalPerKg: [32, 7], hr: [105, 13] },
  yoga: { steps: [5600, 2400], kcalPerKg: [26, 5], hr: [84, 10] },
  gym_workout: { steps: [7200, 2700], kcalPerKg: [31, 7], hr: [104, 13] },
  hiking: { steps: [14000, 4500], kcalPerKg: [35, 8], hr: [102, 13] },
};

export type ProductCategory = 'juice_bar' | 'supplements' | 'snacks' | 'apparel';
export const PRODUCT_CATEGORIES: readonly ProductCategory[] = ['juice_bar', 'supplements', 'snacks', 'apparel'];

export interface Product {
  sku: string;
  name: string;
  category: ProductCategory;
  price: number;
  /** Codes the old till system printed for this product. */
  legacyCodes: string[];
  /** Misspellings seen on receipts and already mapped by the retail team. */
  knownTypos: string[];
  /** Supplements: yearly trend (fraction per year) and seasonal amplitude. */
  trend?: number;
  seasonality?: number;
}

type P = [string, string, number, string, string, number?, number?];
const RAW_PRODUCTS: Record<ProductCategory, P[]> = {
  juice_bar: [
    ['JB-GREEN-16', 'Green Detox Juice 16oz', 7.5, 'L1001', 'JB-GREN-16'],
    ['JB-BERRY-SMOOTH', 'Berry Protein Smoothie', 8.95, 'L1002', 'JB-BERY-SMOOTH'],
    ['JB-PB-BANANA', 'Peanut Butter Banana Shake', 8.95, 'L1003', 'JB-PB-BANANNA'],
    ['JB-COLD-BREW', 'Cold Brew Coffee', 4.5, 'L1004', 'JB-COLD-BRW'],
    ['JB-ACAI-BOWL', 'Acai Bowl', 10.5, 'L1005', 'JB-ACIA-BOWL'],
    ['JB-ELECTRO-H2O', 'Electrolyte Water', 3.25, 'L1006', 'JB-ELECRTO-H2O'],
  ],
  supplements: [
    ['SUP-WHEY-VAN-2LB', 'Whey Protein Vanilla 2lb', 39.99, 'L2001', 'SUP-WHEY-VAN-2BL', 0.12, 0.25],
    ['SUP-WHEY-CHOC-2LB', 'Whey Protein Chocolate 2lb', 39.99, 'L2002', 'SUP-WHEY-CHCO-2LB', 0.1, 0.25],
    ['SUP-PLANT-PROT-2LB', 'Plant Protein 2lb', 44.99, 'L2003', 'SUP-PLNAT-PROT-2LB', 0.35, 0.2],
    ['SUP-CREATINE-300G', 'Creatine Monohydrate 300g', 24.99, 'L2004', 'SUP-CRAETINE-300G', 0.25, 0.3],
    ['SUP-PREWORKOUT-30', 'Pre-Workout 30 servings', 34.99, 'L2005', 'SUP-PREWROKOUT-30', 0.05, 0.35],
    ['SUP-BCAA-30', 'BCAA 30 servings', 29.99, 'L2006', 'SUP-BCCA-30', -0.15, 0.3],
    ['SUP-MULTIVIT-90', 'Multivitamin 90ct', 19.99, 'L2007', 'SUP-MULTVIT-90', 0.0, 0.15],
    ['SUP-OMEGA3-120', 'Omega-3 120ct', 22.99, 'L2008', 'SUP-OMEGA-3-120', 0.05, 0.1],
    ['SUP-ELECTROLYTE-TUB', 'Electrolyte Powder Tub', 27.99, 'L2009', 'SUP-ELECTORLYTE-TUB', 0.2, 0.45],
    ['SUP-COLLAGEN-30', 'Collagen Peptides 30 servings', 32.99, 'L2010', 'SUP-COLAGEN-30', 0.3, 0.15],
    ['SUP-PROT-BAR-12', 'Protein Bar Box of 12', 29.99, 'L2011', 'SUP-PROT-BRA-12', 0.08, 0.2],
    ['SUP-GLUTAMINE-300G', 'Glutamine 300g', 21.99, 'L2012', 'SUP-GLUTAMNE-300G', -0.1, 0.2],
  ],
  snacks: [
    ['SN-PROT-BAR-CHOC', 'Protein Bar Chocolate', 3.49, 'L3001', 'SN-PROT-BAR-CHCO'],
    ['SN-PROT-BAR-PB', 'Protein Bar Peanut Butter', 3.49, 'L3002', 'SN-PROT-BRA-PB'],
    ['SN-TRAIL-MIX', 'Trail Mix Pack', 2.99, 'L3003', 'SN-TRIAL-MIX'],
    ['SN-RICE-CAKES', 'Rice Cakes', 2.49, 'L3004', 'SN-RICE-CAEKS'],
    ['SN-JERKY-BEEF', 'Beef Jerky', 5.99, 'L3005', 'SN-JERKEY-BEEF'],
    ['SN-BANANA', 'Banana', 0.99, 'L3006', 'SN-BANNANA'],
  ],
  apparel: [
    ['AP-TEE-LOGO-M', 'Logo Tee M', 24.99, 'L4001', 'AP-TE-LOGO-M'],
    ['AP-TEE-LOGO-L', 'Logo Tee L', 24.99, 'L4002', 'AP-TEE-LGOO-L'],
    ['AP-SHAKER-BOTTLE', 'Shaker Bottle', 12.99, 'L4003', 'AP-SHAKR-BOTTLE'],
    ['AP-GYM-TOWEL', 'Gym Towel', 14.99, 'L4004', 'AP-GYM-TOWLE'],
    ['AP-LIFT-GLOVES', 'Lifting Gloves', 19.99, 'L4005', 'AP-LFIT-GLOVES'],
    ['AP-WATER-BOTTLE', 'Insulated Water Bottle', 22.99, 'L4006', 'AP-WATER-BOTLE'],
  ],
};

export const PRODUCTS: readonly Product[] = PRODUCT_CATEGORIES.flatMap((category) =>
  RAW_PRODUCTS[category].map(([sku, name, price, legacy, typo, trend, seasonality]) => ({
    sku,
    name,
    category,
    price,
    legacyCodes: [legacy],
    knownTypos: [typo],
    ...(trend === undefined ? {} : { trend, seasonality }),
  })),
);

/** Purchase propensity per visit by category, before member affinity. */
export const CATEGORY_BASE_RATE: Record<ProductCategory, number> = { juice_bar: 0.07, supplements: 0.022, snacks: 0.04, apparel: 0.004 };

export const PAYMENT_METHODS = ['card', 'card', 'card', 'apple_pay', 'google_pay', 'member_account', 'cash'] as const;
export const APP_DEVICES = [
  { device: 'iPhone', os: 'iOS' },
  { device: 'iPad', os: 'iPadOS' },
  { device: 'Pixel', os: 'Android' },
  { device: 'Galaxy', os: 'Android' },
] as const;
export const APP_VERSIONS = ['4.8.2', '4.9.0', '4.9.1', '5.0.0', '5.0.3', '5.1.0'] as const;
export const WEARABLE_DEVICES = ['Fitbit Charge 6', 'Apple Watch', 'Garmin Forerunner', 'Whoop 4.0', 'Oura Ring'] as const;
export const CANCEL_CHANNELS = ['app', 'front_desk', 'email', 'phone', 'web'] as const;
export const CANCEL_REASONS = ['price', 'relocation', 'injury_health', 'not_using', 'dissatisfied', 'schedule', 'switched_gym', 'other'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];
