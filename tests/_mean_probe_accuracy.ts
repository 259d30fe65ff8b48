// Shared by the demo learning tests: the one number they compare encoders by.
import type { ProbeResults } from "@simclr/eval";

/** Mean probe test accuracy over the label budgets (the demo data: 10, 20 and 50 per class). */
export function meanProbeAccuracy(results: ProbeResults): number {
  const accuracies = Object.values(results).map((r) => r.test);
  return accuracies.reduce((sum, a) => sum + a, 0) / accuracies.length;
}
