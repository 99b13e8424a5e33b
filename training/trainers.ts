import { trainChurn } from './churn/train_churn';
import type { Trainer } from './train';

/** Every model `npm run train` fits, in order: registry name → trainer. */
export const TRAINERS: Record<string, Trainer> = {
  churn: trainChurn,
};
