/**
 * A scanned page made fit for Tesseract, in the ways an official document needs (measured on our
 * test scans, test/fixtures/scans/README.md):
 *
 * - **Colour ink dropped.** The red seal covers the signer's title and name and the blue pen
 *   signature crosses them (NĐ 30 Điều 33); read as grey they are dark blots that Tesseract reads
 *   as letters, and the signature block is lost. Strongly coloured pixels become paper; black
 *   print (and a black stamp) stays.
 * - **Skew straightened** (within ±3°): a sheet fed 1–2° askew costs Tesseract whole lines.
 * - **Rules whitened**: the rules under the header and the trích yếu, and the frame of a độ mật or
 *   độ khẩn stamp, which Tesseract otherwise reads into the word it frames ("TH" for "MẬT").
 *
 * Pure functions on 8-bit grey pixels (one byte each), and the Netpbm files the tools write.
 * A page is 2480 × 3508 pixels at 300 dpi: each step is one or two passes over it.
 */
export type GreyPage = { readonly width: number; readonly height: number; readonly data: Uint8Array };

/** Saturation (max − min of R, G, B) above which a pixel is coloured ink, not print. */
const INK_SATURATION = 50;

/** Grey of an RGB page with the coloured ink turned to paper. */
export function dropColourInk(width: number, height: number, rgb: Uint8Array): GreyPage {
  const data = new Uint8Array(width * height);
  for (let i = 0, at = 0; i < data.length; i += 1, at += 3) {
    const r = rgb[at] ?? 255;
    const g = rgb[at + 1] ?? 255;
    const b = rgb[at + 2] ?? 255;
    const max = r > g ? (r > b ? r : b) : g > b ? g : b;
    const min = r < g ? (r < b ? r : b) : g < b ? g : b;
    data[i] = max - min > INK_SATURATION ? 255 : (299 * r + 587 * g + 114 * b + 500) / 1000;
  }
  return { width, height, data };
}

const SKEW_LIMIT_TENTHS = 30;

/**
 * The page's skew in degrees (a tenth at a time, within ±3°), by projection profiles: the angle at
 * which the dark pixels fall into the fewest, fullest rows. A sample of the pixels is enough.
 */
export function estimateSkew(page: GreyPage): number {
  const { width, height, data } = page;
  const step = Math.max(1, Math.floor(width / 620));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < height; y += step)
    for (let x = 0; x < width; x += step)
      if ((data[y * width + x] ?? 255) < 128) {
        xs.push(x);
        ys.push(y);
      }
  if (xs.length < 100) return 0;
  // y·cos − x·sin lies within −width·sin 3° … height: shifted by `offset` to index the bins
  const offset = width * 0.06;
  const bins = new Int32Array(Math.ceil((height + 2 * offset) / step) + 2);
  let best = 0;
  let bestScore = -1;
  for (let tenth = -SKEW_LIMIT_TENTHS; tenth <= SKEW_LIMIT_TENTHS; tenth += 1) {
    const angle = (tenth / 10) * (Math.PI / 180);
    const sin = Math.sin(angle);
    const cos = Math.cos(angle);
    bins.fill(0);
    for (let i = 0; i < xs.length; i += 1) {
      const bin = Math.floor(((ys[i] ?? 0) * cos - (xs[i] ?? 0) * sin + offset) / step);
      if (bin >= 0 && bin < bins.length) bins[bin] = (bins[bin] ?? 0) + 1;
    }
    let score = 0;
    for (const count of bins) score += count * count;
    // on a tie the smaller angle: an upright page is not turned for nothing
    if (score > bestScore || (score === bestScore && Math.abs(tenth) < Math.abs(best * 10))) {
      bestScore = score;
      best = tenth / 10;
    }
  }
  return best;
}

/** Turned by `degrees` about the centre, bilinear, paper outside the sheet. */
export function rotate(page: GreyPage, degrees: number): GreyPage {
  const { width, height, data: source } = page;
  const data = new Uint8Array(source.length).fill(255);
  const angle = (degrees * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cx = width / 2;
  const cy = height / 2;
  for (let y = 0; y < height; y += 1) {
    const dy = y - cy;
    for (let x = 0; x < width; x += 1) {
      const dx = x - cx;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const a = y0 * width + x0;
      const top = (source[a] ?? 255) * (1 - fx) + (source[a + 1] ?? 255) * fx;
      const bottom = (source[a + width] ?? 255) * (1 - fx) + (source[a + width + 1] ?? 255) * fx;
      data[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { width, height, data };
}

/**
 * Straight rules whitened: horizontal dark runs longer than a quarter inch, vertical ones longer
 * than the tallest letter (0.22 inch). Letters are shorter than both, so they are left alone.
 */
export function removeRules(page: GreyPage, ppi: number): GreyPage {
  const { width, height, data: source } = page;
  const data = Uint8Array.from(source);
  const dark = (at: number) => (source[at] ?? 255) < 160;
  const horizontal = Math.round(ppi / 4);
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    let start = -1;
    for (let x = 0; x <= width; x += 1) {
      if (x < width && dark(row + x)) {
        if (start < 0) start = x;
      } else if (start >= 0) {
        if (x - start >= horizontal) data.fill(255, row + start, row + x);
        start = -1;
      }
    }
  }
  // Columns walked row by row (the pixels lie row after row): where each column's run began.
  const vertical = Math.round(ppi * 0.22);
  const runStart = new Int32Array(width).fill(-1);
  const clearColumn = (x: number, from: number, to: number) => {
    for (let k = from; k < to; k += 1) data[k * width + x] = 255;
  };
  for (let y = 0; y <= height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const begun = runStart[x] ?? -1;
      if (y < height && dark(y * width + x)) {
        if (begun < 0) runStart[x] = y;
      } else if (begun >= 0) {
        if (y - begun >= vertical) clearColumn(x, begun, y);
        runStart[x] = -1;
      }
    }
  }
  return { width, height, data };
}

/** Every step, in order; the skew found is returned for the record. */
export function cleanPage(page: GreyPage, ppi: number): { page: GreyPage; skew: number } {
  const skew = estimateSkew(page);
  const upright = skew === 0 ? page : rotate(page, -skew);
  return { page: removeRules(upright, ppi), skew };
}

/**
 * Where NĐ 30 Phụ lục I puts the độ mật and độ khẩn stamps: under the số, ký hiệu, in the left
 * column of the header (fractions of the page's width and height, with room for skew and margins).
 */
export const STAMP_ZONE = { left: 0, top: 0.08, right: 0.6, bottom: 0.5 } as const;

/** A part of the page (fractions of its size) at twice the size, bilinear. */
export function enlargedPart(page: GreyPage, zone: typeof STAMP_ZONE): GreyPage {
  const x0 = Math.floor(page.width * zone.left);
  const y0 = Math.floor(page.height * zone.top);
  const partWidth = Math.max(1, Math.floor(page.width * zone.right) - x0);
  const partHeight = Math.max(1, Math.floor(page.height * zone.bottom) - y0);
  const width = partWidth * 2;
  const height = partHeight * 2;
  const data = new Uint8Array(width * height);
  const source = page.data;
  for (let y = 0; y < height; y += 1) {
    const sy = Math.min(y0 + y / 2, page.height - 1.001);
    const top = Math.floor(sy);
    const fy = sy - top;
    for (let x = 0; x < width; x += 1) {
      const sx = Math.min(x0 + x / 2, page.width - 1.001);
      const left = Math.floor(sx);
      const fx = sx - left;
      const a = top * page.width + left;
      const upper = (source[a] ?? 255) * (1 - fx) + (source[a + 1] ?? 255) * fx;
      const lower = (source[a + page.width] ?? 255) * (1 - fx) + (source[a + page.width + 1] ?? 255) * fx;
      data[y * width + x] = upper * (1 - fy) + lower * fy;
    }
  }
  return { width, height, data };
}

// ----- Netpbm ------------------------------------------------------------------------------------

export type Netpbm =
  | { readonly kind: 'grey'; readonly width: number; readonly height: number; readonly data: Uint8Array }
  | { readonly kind: 'rgb'; readonly width: number; readonly height: number; readonly data: Uint8Array }
  | { readonly kind: 'other' };

/**
 * A binary PGM (P5) or PPM (P6) with 8-bit samples, as pdfimages and pdftoppm write them; a bitmap
 * (P4), 16-bit samples or anything malformed is `other` and is read as it is.
 */
export function parseNetpbm(bytes: Uint8Array): Netpbm {
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (magic !== 'P5' && magic !== 'P6') return { kind: 'other' };
  const fields: number[] = [];
  let at = 2;
  while (fields.length < 3 && at < bytes.length && at < 4096) {
    const byte = bytes[at] ?? 0;
    if (byte === 0x23) {
      // a comment runs to the end of its line
      while (at < bytes.length && bytes[at] !== 0x0a) at += 1;
    } else if (byte >= 0x30 && byte <= 0x39) {
      let value = 0;
      while (at < bytes.length && (bytes[at] ?? 0) >= 0x30 && (bytes[at] ?? 0) <= 0x39) {
        value = value * 10 + (bytes[at] ?? 0) - 0x30;
        at += 1;
      }
      fields.push(value);
      continue;
    } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return { kind: 'other' };
    at += 1;
  }
  const [width = 0, height = 0, maxValue = 0] = fields;
  // one white-space byte ends the header
  at += 1;
  const channels = magic === 'P6' ? 3 : 1;
  if (fields.length < 3 || !width || !height || maxValue !== 255) return { kind: 'other' };
  if (bytes.length - at < width * height * channels) return { kind: 'other' };
  const data = bytes.subarray(at, at + width * height * channels);
  return magic === 'P6' ? { kind: 'rgb', width, height, data } : { kind: 'grey', width, height, data };
}

export function writePgm(page: GreyPage): Buffer {
  const header = Buffer.from(`P5\n${String(page.width)} ${String(page.height)}\n255\n`, 'ascii');
  return Buffer.concat([header, page.data]);
}
