/** Multi-class and regression metrics. */

export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export function classReport(actual: readonly string[], predicted: readonly string[], labels: readonly string[]): { accuracy: number; macroF1: number; perClass: ClassReport[] } {
  let correct = 0;
  const perClass = labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < actual.length; i++) {
      if (predicted[i] === label && actual[i] === label) tp++;
      else if (predicted[i] === label) fp++;
      else if (actual[i] === label) fn++;
    }
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    return { label, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support: tp + fn };
  });
  for (let i = 0; i < actual.length; i++) if (actual[i] === predicted[i]) correct++;
  const present = perClass.filter((c) => c.support > 0);
  return { accuracy: correct / actual.length, macroF1: present.reduce((s, c) => s + c.f1, 0) / present.length, perClass };
}

export function regressionReport(actual: ArrayLike<number>, predicted: ArrayLike<number>): { mae: number; rmse: number; r2: number } {
  const n = actual.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i] / n;
  let ae = 0;
  let se = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    ae += Math.abs(actual[i] - predicted[i]);
    se += (actual[i] - predicted[i]) ** 2;
    tot += (actual[i] - mean) ** 2;
  }
  return { mae: ae / n, rmse: Math.sqrt(se / n), r2: 1 - se / tot };
}
