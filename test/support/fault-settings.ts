// Knobs of the relay fault test (test/fault), read here because tests read no environment themselves.
// The figure is 5,000 packages; the default keeps a run on a shared 2-core machine near 3 minutes.
import { positiveInt } from './positive-int-setting.ts';

export const faultSettings = {
  /** packages submitted in total, by the two partner agencies */
  packages: positiveInt('LIENTHONG_FAULT_PACKAGES', 500),
  /** SIGKILLs of the hub during the run (the broker restart comes on top) */
  kills: positiveInt('LIENTHONG_FAULT_KILLS', 4),
  /** submissions per second, both partners together */
  rate: positiveInt('LIENTHONG_FAULT_RATE', 25),
  /** seed of the random moments; printed with the results so a run can be repeated */
  seed: positiveInt('LIENTHONG_FAULT_SEED', Math.floor(Math.random() * 2 ** 31) + 1),
};
