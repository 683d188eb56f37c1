// Knobs of the national-axis drills (test/e2e/axis-drills.test.ts), read here because tests read no
// environment themselves. The defaults are the figures.
import { positiveInt } from './positive-int-setting.ts';

export const axisDrillSettings = {
  /** documents waiting on the axis for the hub when the drain drill starts */
  incoming: positiveInt('LIENTHONG_AXIS_DRILL_INCOMING', 2000),
  /** SIGKILLs of the hub during the drain */
  kills: positiveInt('LIENTHONG_AXIS_DRILL_KILLS', 5),
  /** packages the hub sends to the axis in the send drill */
  outgoing: positiveInt('LIENTHONG_AXIS_DRILL_OUTGOING', 1000),
  /** seed of the random kill moments; printed with the results so a run can be repeated */
  seed: positiveInt('LIENTHONG_AXIS_DRILL_SEED', Math.floor(Math.random() * 2 ** 31) + 1),
};
