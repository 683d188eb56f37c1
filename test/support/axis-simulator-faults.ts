import type { AxisCall, AxisFault } from './axis-simulator.ts';

/** Injected faults, matched per request in the order they were injected; each `times` runs down. */
export class FaultPlan {
  readonly #faults: { fault: AxisFault; left: number }[] = [];

  inject(fault: AxisFault): void {
    this.#faults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** The first fault of one of `kinds` that applies to this call, consumed once; undefined if none. */
  take<K extends AxisFault['kind']>(
    call: AxisCall,
    kinds: readonly K[],
  ): Extract<AxisFault, { kind: K }> | undefined {
    for (const entry of this.#faults) {
      const { fault } = entry;
      if (entry.left <= 0 || !(kinds as readonly string[]).includes(fault.kind)) continue;
      if (!appliesTo(fault, call)) continue;
      const probability = 'probability' in fault ? (fault.probability ?? 1) : 1;
      if (probability < 1 && Math.random() >= probability) continue;
      entry.left -= 1;
      return fault as Extract<AxisFault, { kind: K }>;
    }
    return undefined;
  }
}

function appliesTo(fault: AxisFault, call: AxisCall): boolean {
  switch (fault.kind) {
    case 'list-twice':
      return call === 'getReceivedEdocList';
    case 'corrupt-body':
      return call === (fault.call ?? 'getEdoc');
    case 'http-500':
    case 'timeout':
    case 'slow':
      return fault.call === undefined || fault.call === call;
  }
}
