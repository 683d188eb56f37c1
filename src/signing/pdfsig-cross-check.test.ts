/**
 * Issue #18, acceptance 1: the PDF update cases next to poppler's pdfsig, where it can judge.
 * pdfsig checks each signature's CMS over its byte ranges, says whether it covers the whole
 * document and names the field; it does not analyse what an incremental update changed and
 * cannot check ETSI.RFC3161 document timestamps. So the hub and pdfsig must agree on field
 * names, whole-document coverage and CMS validity, and every case where the hub refuses a
 * signature that pdfsig finds valid must be one of the hub's "changed after this signature"
 * findings. A missing pdfsig fails with what to install.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyPdf } from './pdf-verify.ts';
import { requireTool, runTool } from './test-support/external-tools.ts';
import { buildUpdateCases, type UpdateCase } from './test-support/pdf-update-cases.ts';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';

let pki: TestPki;
let cases: UpdateCase[];

beforeAll(async () => {
  requireTool('pdfsig');
  pki = await createTestPki();
  cases = await buildUpdateCases(pki);
});

type PdfsigSignature = { field: string | null; whole: boolean | null; validation: string };

function pdfsig(file: string): PdfsigSignature[] {
  const { output } = runTool('pdfsig', ['-nocert', file]);
  return output
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((block) => ({
      field: /Signature Field Name: (.*)$/m.exec(block)?.[1]?.trim() ?? null,
      whole: /Total document signed/.test(block)
        ? /Not total document signed/.test(block)
          ? false
          : true
        : null,
      validation: /Signature Validation: (.*)$/m.exec(block)?.[1]?.trim() ?? 'none',
    }));
}

describe('pdfsig cross-check of the incremental-update cases', () => {
  it('agrees on fields, coverage and CMS validity; differs only where the hub analyses the update', async () => {
    const disagreements: string[] = [];
    const updateOnly: string[] = [];
    const timestamps: string[] = [];
    for (const row of cases) {
      const file = join(pki.dir, `update-${row.name.replace(/[^a-z0-9]+/gi, '-')}.pdf`);
      writeFileSync(file, row.bytes);
      const verdict = await verifyPdf(row.bytes, pki.material, { at: new Date() });
      const tool = pdfsig(file);
      if (tool.length !== verdict.signatures.length) {
        disagreements.push(
          `${row.name}: pdfsig sees ${tool.length} signatures, the hub ${verdict.signatures.length}`,
        );
        continue;
      }
      verdict.signatures.forEach((hub, index) => {
        const other = tool[index] as PdfsigSignature;
        const where = `${row.name} #${index + 1}`;
        if (other.field !== hub.field) disagreements.push(`${where}: field ${other.field} vs ${hub.field}`);
        // Coverage of a broken range is moot (the hub reports it false, pdfsig by the numbers).
        if (other.whole !== null && hub.chain !== 'unknown' && other.whole !== hub.coversWholeFile)
          disagreements.push(`${where}: whole document ${other.whole} vs ${hub.coversWholeFile}`);
        if (
          /Unable to validate|not yet been verified/.test(other.validation) &&
          hub.field === 'Dau thoi gian'
        ) {
          timestamps.push(where);
          return;
        }
        const toolValid = other.validation === 'Signature is Valid.';
        const updateRefusal = hub.reasons.some((r) => r.includes('changed after this signature'));
        const cmsGood = hub.trusted || updateRefusal;
        if (toolValid !== cmsGood)
          disagreements.push(`${where}: pdfsig "${other.validation}", hub ${hub.status}`);
        else if (toolValid && !hub.trusted) updateOnly.push(where);
      });
    }
    expect(disagreements).toEqual([]);
    // Where pdfsig's CMS check passes and the hub refuses: exactly the changes the hub analyses.
    expect(updateOnly.sort()).toEqual(
      cases
        .flatMap((c) =>
          c.signatures.flatMap((s, i) =>
            s.status === 'invalid' && s.chain === 'trusted' && s.field !== 'Dau thoi gian'
              ? [`${c.name} #${i + 1}`]
              : [],
          ),
        )
        .sort(),
    );
    expect(timestamps.length).toBeGreaterThan(0);
  });
});
