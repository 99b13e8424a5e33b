import { Faker, en, en_US } from '@faker-js/faker';
import { APP_DEVICES, CATEGORY_BASE_RATE, CLASS_TYPES, FACILITIES, PLANS, PRODUCT_CATEGORIES, PRODUCTS, WEARABLE_DEVICES, type ActivityType } from './catalog';
import type { Rng } from './rng';

/** One simulated member: identity as the CRM holds it, plus latent traits nobody downstream sees. */
export interface Member {
  idx: number;
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  address: string;
  city: string;
  state: string;
  zip: string;
  birthDate: string;
  club: number;
  plan: number;
  annual: boolean;
  price: number;
  /** Day index of joining; negative for members who joined before the simulated window. */
  joinDay: number;
  /** Day the membership ends (effective cancellation), or Infinity. */
  endDay: number;
  /** Day a cancellation was requested, or Infinity. */
  requestDay: number;
  motivation: number;
  priceSensitivity: number;
  /** Propensity to visit in the morning (0), midday (1), evening (2). */
  timeHabit: Float64Array;
  classPropensity: number;
  classAffinity: Float64Array;
  facilityAffinity: Float64Array;
  /** Latent affinity per product (sums to 1). */
  productAffinity: Float64Array;
  /** Expected items bought per visit, per product, before seasonality. */
  retailWeights: Float64Array;
  strengthBias: number;
  appUser: boolean;
  appEngagement: number;
  appDevice: number;
  wearable: number;
  weightKg: number;
  outdoorActivity: ActivityType;
  movedDay: number;
  injuredUntil: number;
  downgradeDay: number;
  visitsThisMonth: number;
  visitsLastMonth: number;
  appThisMonth: number;
  appLastMonth: number;
  /** Expected visits per month under the member's habits, the yardstick for attendance drops. */
  habitualMonthly: number;
}

/** A Faker seeded for one stream of identities (the chain: `seed`; a club: `[seed, club + 1]`). */
export function createFaker(seed: number | number[]): Faker {
  const f = new Faker({ locale: [en_US, en] });
  f.seed(seed);
  return f;
}

const CLASS_ALPHA = CLASS_TYPES.map((c) => 0.35 * c.popularity);
const FACILITY_ALPHA = FACILITIES.map(() => 0.5);

/**
 * Latent product affinity (sums to 1) and the derived expected items per visit for each product:
 * category base rate × the member's category weight (mean 1) × within-category share × propensity.
 */
function productTraits(rng: Rng, propensity: number): { affinity: Float64Array; retailWeights: Float64Array } {
  const cat = rng.dirichlet([1.2, 0.6, 0.9, 0.3]);
  const within = PRODUCTS.map(() => rng.gamma(0.6));
  const catSum: Record<string, number> = {};
  PRODUCTS.forEach((p, i) => (catSum[p.category] = (catSum[p.category] ?? 0) + within[i]));
  const retailWeights = new Float64Array(PRODUCTS.length);
  const affinity = new Float64Array(PRODUCTS.length);
  PRODUCTS.forEach((p, i) => {
    const c = PRODUCT_CATEGORIES.indexOf(p.category);
    const share = within[i] / catSum[p.category];
    affinity[i] = cat[c] * share;
    retailWeights[i] = CATEGORY_BASE_RATE[p.category] * 4 * cat[c] * share * propensity;
  });
  return { affinity, retailWeights };
}

export function memberId(idx: number): string {
  return `M${String(idx + 1).padStart(7, '0')}`;
}

function pickPlan(rng: Rng, age: number): number {
  const weights = PLANS.map((p) => (p.code === 'student' ? (age < 26 ? 0.6 : 0.01) : p.share));
  return rng.weighted(weights);
}

/** A new member with identity from Faker and traits from the seeded simulation. */
export function createMember(idx: number, joinDay: number, club: number, refYear: number, rng: Rng, faker: Faker): Member {
  const firstName = faker.person.firstName();
  const lastName = faker.person.lastName();
  const age = Math.round(Math.min(75, Math.max(17, rng.normal(36, 12))));
  const plan = pickPlan(rng, age);
  const annual = rng.chance(0.22);
  const motivation = rng.beta(2.2, 2.4);
  const wearable = rng.chance(0.1 + 0.22 * motivation) ? rng.int(WEARABLE_DEVICES.length) : -1;
  const habit = rng.dirichlet([1.1, 0.5, 1.4]);
  const slug = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
  return {
    idx,
    id: memberId(idx),
    firstName,
    lastName,
    email: `${slug}${idx + 1}@${faker.internet.domainName()}`,
    phone: faker.phone.number({ style: 'national' }),
    address: faker.location.streetAddress(),
    city: faker.location.city(),
    state: faker.location.state({ abbreviated: true }),
    zip: faker.location.zipCode('#####'),
    birthDate: `${refYear - age}-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(28)).padStart(2, '0')}`,
    club,
    plan,
    annual,
    price: annual ? PLANS[plan].annual : PLANS[plan].monthly,
    joinDay,
    endDay: Infinity,
    requestDay: Infinity,
    motivation,
    priceSensitivity: rng.beta(2, 3),
    timeHabit: habit,
    classPropensity: rng.beta(1.3, 1.8),
    classAffinity: rng.dirichlet(CLASS_ALPHA),
    facilityAffinity: rng.dirichlet(FACILITY_ALPHA),
    ...(() => {
      const t = productTraits(rng, rng.gamma(1.5) / 1.5);
      return { productAffinity: t.affinity, retailWeights: t.retailWeights };
    })(),
    strengthBias: rng.beta(2, 2),
    appUser: rng.chance(0.72),
    appEngagement: rng.beta(1.6, 2.6),
    appDevice: rng.int(APP_DEVICES.length),
    wearable,
    weightKg: Math.max(45, rng.normal(77, 15)),
    outdoorActivity: rng.pick(['walking', 'walking', 'running', 'cycling', 'hiking', 'swimming'] as ActivityType[]),
    movedDay: Infinity,
    injuredUntil: -Infinity,
    downgradeDay: -Infinity,
    visitsThisMonth: 0,
    visitsLastMonth: 0,
    appThisMonth: 0,
    appLastMonth: 0,
    habitualMonthly: 0,
  };
}
