import type { ClientLoad } from '../ingest-policy.ts';

/** Open connections and connections in the last minute, per client address (for ingest-policy). */
export class ClientLoadTracker {
  private readonly open = new Map<string, number>();
  private readonly starts = new Map<string, number[]>();

  load(address: string, now = Date.now()): ClientLoad {
    const recent = (this.starts.get(address) ?? []).filter((t) => now - t < 60_000);
    this.starts.set(address, recent);
    return { open: this.open.get(address) ?? 0, lastMinute: recent.length };
  }

  opened(address: string, now = Date.now()): void {
    this.open.set(address, (this.open.get(address) ?? 0) + 1);
    const starts = this.starts.get(address) ?? [];
    starts.push(now);
    this.starts.set(address, starts);
    if (this.starts.size > 50_000) this.prune(now);
  }

  closed(address: string): void {
    const left = (this.open.get(address) ?? 1) - 1;
    if (left <= 0) this.open.delete(address);
    else this.open.set(address, left);
  }

  private prune(now: number): void {
    for (const [address, starts] of this.starts)
      if (starts.every((t) => now - t >= 60_000) && !this.open.has(address)) this.starts.delete(address);
  }
}
