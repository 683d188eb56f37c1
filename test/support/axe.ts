import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue } from 'axe-core';
import type { Page } from 'playwright-core';

/** What a failure is worth stopping for: axe's "serious" and "critical" (issue 19). */
const BLOCKING: readonly ImpactValue[] = ['serious', 'critical'];

let axeSource: Promise<string> | undefined;

/** axe-core's own browser build, read once from node_modules. */
function source(): Promise<string> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

export type AxeExclusion = {
  /** A CSS selector of the one element left out. */
  selector: string;
  /** Why that element cannot satisfy the rule: shown nowhere, kept beside the exclusion for a reviewer. */
  why: string;
};

/**
 * Runs axe-core on the page as it is drawn now (modal dialogs included) and returns every serious
 * or critical violation as lines: the rule, what it asks for, and the selector of each element with
 * axe's summary of what is wrong, so a failure says what to fix. The console's CSP allows no inline
 * script, so axe's source is evaluated through the DevTools protocol (as @axe-core/playwright
 * does), never added as a <script>.
 */
export async function seriousAxeViolations(
  page: Page,
  where: string,
  exclude: readonly AxeExclusion[] = [],
): Promise<string[]> {
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.evaluate(await source());
  const context = { include: [['html']], exclude: exclude.map((e) => [e.selector]) };
  const results = await page.evaluate<AxeResults>(
    `axe.run(${JSON.stringify(context)}, { resultTypes: ['violations'] })`,
  );
  return results.violations
    .filter((v) => v.impact && BLOCKING.includes(v.impact))
    .flatMap((v) => [
      `${where}: ${v.id} (${v.impact ?? ''}): ${v.help} — ${v.helpUrl}`,
      ...v.nodes.map(
        (n) =>
          `    ${n.target.join(' >> ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s*\n\s*/g, ' ')}` : ''}`,
      ),
    ]);
}

/** The same, failing at once with the whole list. */
export async function expectNoSeriousAxeViolations(
  page: Page,
  where: string,
  exclude: readonly AxeExclusion[] = [],
): Promise<void> {
  const problems = await seriousAxeViolations(page, where, exclude);
  if (problems.length > 0)
    throw new Error(`axe found serious or critical violations:\n${problems.join('\n')}`);
}
