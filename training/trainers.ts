import { trainChurn } from './churn/train_churn';
import { trainForecast } from './forecast/train_forecast';
import { recommenderTrainer } from './recommend/train_recommender';
import { trainSegmentation } from './segmentation/train_segmentation';
import type { Trainer } from './train';
import { trainActivityClassifier, trainCalorieRegressor } from './wearables/train_wearables';

/** Every model `npm run train` fits, in order: registry name → trainer. */
export const TRAINERS: Record<string, Trainer> = {
  churn: trainChurn,
  'recommender-classes': recommenderTrainer('classes'),
  'recommender-products': recommenderTrainer('products'),
  'supplement-forecast': trainForecast,
  segmentation: trainSegmentation,
  'activity-classifier': trainActivityClassifier,
  'calorie-regressor': trainCalorieRegressor,
};
