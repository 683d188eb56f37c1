import { describe, expect, it } from 'vitest';
import {
  cleanPage,
  dropColourInk,
  enlargedPart,
  estimateSkew,
  parseNetpbm,
  removeRules,
  rotate,
  STAMP_ZONE,
  writePgm,
  type GreyPage,
} from './page-cleanup.ts';

const PPI = 100;

function blank(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  return { width, height, data: new Uint8Array(width * height).fill(255) };
}

function paint(page: GreyPage, x0: number, y0: number, w: number, h: number, value = 0): void {
  for (let y = y0; y < y0 + h; y += 1) page.data.fill(value, y * page.width + x0, y * page.width + x0 + w);
}

const darkCount = (page: GreyPage, x0 = 0, y0 = 0, w = page.width, h = page.height): number => {
  let count = 0;
  for (let y = y0; y < y0 + h; y += 1)
    for (let x = x0; x < x0 + w; x += 1) if ((page.data[y * page.width + x] ?? 255) < 128) count += 1;
  return count;
};

/** Lines of "letters": short dark blocks with gaps, like a page of print. */
function printedPage(): GreyPage {
  const page = blank(600, 800);
  for (let row = 0; row < 30; row += 1)
    for (let letter = 0; letter < 40; letter += 1) paint(page, 40 + letter * 13, 60 + row * 22, 8, 10);
  return page;
}

describe('page cleanup', () => {
  it('drops a red seal and a blue pen stroke, keeps black print and grey', () => {
    const rgb = new Uint8Array([208, 32, 42, 27, 42, 120, 10, 10, 10, 128, 128, 128]);
    const grey = dropColourInk(4, 1, rgb);
    expect(Array.from(grey.data)).toEqual([255, 255, 10, 128]);
  });

  it('whitens a stamp’s frame and the rule under a heading, leaves the letters inside', () => {
    const page = blank(400, 200);
    // the frame of a "MẬT" stamp: 1.2 inch by 0.3 inch, 2 px lines
    paint(page, 100, 50, 120, 2);
    paint(page, 100, 80, 120, 2);
    paint(page, 100, 50, 2, 32);
    paint(page, 218, 50, 2, 32);
    // three letters inside, 0.12 inch tall
    for (const x of [130, 150, 170]) paint(page, x, 60, 10, 12);
    const clean = removeRules(page, PPI);
    expect(darkCount(clean, 100, 50, 120, 2)).toBe(0);
    expect(darkCount(clean, 100, 50, 2, 32)).toBe(0);
    expect(darkCount(clean, 218, 50, 2, 32)).toBe(0);
    expect(darkCount(clean, 130, 60, 50, 12)).toBe(darkCount(page, 130, 60, 50, 12));
  });

  it('finds a page’s skew and straightens it; an upright page is left as it is', () => {
    const upright = printedPage();
    expect(estimateSkew(upright)).toBe(0);
    expect(cleanPage(upright, PPI).skew).toBe(0);
    for (const degrees of [1.5, -2]) {
      const askew = rotate(upright, degrees);
      // found to the tenth of a degree; the cleanup turns the page back by as much
      expect(Math.abs(estimateSkew(askew) - degrees)).toBeLessThanOrEqual(0.11);
      const { page, skew } = cleanPage(askew, PPI);
      expect(skew).toBe(estimateSkew(askew));
      expect(estimateSkew(page)).toBe(0);
    }
  });

  it('enlarges the stamp zone twice: the left of the header, under the số', () => {
    const page = blank(100, 200);
    // a dark dot in the zone (x 10, y 40) and one outside it (x 90, y 190)
    paint(page, 10, 40, 1, 1);
    paint(page, 90, 190, 1, 1);
    const part = enlargedPart(page, STAMP_ZONE);
    expect([part.width, part.height]).toEqual([120, 168]);
    expect(darkCount(part)).toBeGreaterThanOrEqual(1);
    // the dot lands at twice its place in the part
    expect(part.data[(40 - 16) * 2 * part.width + 10 * 2]).toBe(0);
  });

  it('reads the Netpbm files the tools write, with comments, and refuses what it cannot clean', () => {
    const pgm = writePgm({ width: 2, height: 1, data: new Uint8Array([0, 255]) });
    expect(parseNetpbm(pgm)).toMatchObject({ kind: 'grey', width: 2, height: 1 });
    const ppm = Buffer.concat([Buffer.from('P6\n# pdfimages\n1 1\n255\n'), Buffer.from([1, 2, 3])]);
    const parsed = parseNetpbm(ppm);
    expect(parsed.kind).toBe('rgb');
    expect(parsed.kind === 'rgb' ? Array.from(parsed.data) : []).toEqual([1, 2, 3]);
    expect(parseNetpbm(Buffer.from('P4\n8 1\n\xff')).kind).toBe('other');
    expect(parseNetpbm(Buffer.from('P5\n2 2\n65535\n')).kind).toBe('other');
    // a header that promises more pixels than the file has
    expect(parseNetpbm(Buffer.from('P5\n100 100\n255\n\0\0')).kind).toBe('other');
    expect(parseNetpbm(Buffer.from('%PDF-1.7')).kind).toBe('other');
  });
});
