import { trainChurn } from './churn/train_churn';
import { trainForecast } from './forecast/train_forecast';
import { recommenderTrainer } from './recommend/train_recommender';
import type { Trainer } from './train';

/** Every model `npm run train` fits, in order: registry name → trainer. */
export const TRAINERS: Record<string, Trainer> = {
  churn: trainChurn,
  'recommender-classes': recommenderTrainer('classes'),
  'recommender-products': recommenderTrainer('products'),
  'supplement-forecast': trainForecast,
};
