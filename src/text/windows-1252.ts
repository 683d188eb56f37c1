/**
 * Windows-1252, the code page through which legacy Vietnamese text and mis-declared UTF-8 most often
 * reach us as *characters* (`C«ng v¨n`, `CÃ´ng vÄƒn`). Only 0x80–0x9F differ from Latin-1.
 */
const HIGH_C1: readonly number[] = [
  0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152,
  0xfffd, 0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122,
  0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
];

const BYTE_OF_CHAR = new Map<number, number>(
  HIGH_C1.flatMap((codePoint, index) => (codePoint === 0xfffd ? [] : [[codePoint, 0x80 + index] as const])),
);

/** The character windows-1252 shows for a byte; U+FFFD for its five undefined bytes. */
export function windows1252Char(byte: number): number {
  return byte >= 0x80 && byte < 0xa0 ? (HIGH_C1[byte - 0x80] ?? 0xfffd) : byte;
}

/**
 * The byte behind a character that a windows-1252 (or Latin-1) view produced, or undefined when no
 * byte shows as that character. C1 controls map to themselves because Latin-1 viewers show the five
 * bytes windows-1252 leaves undefined that way.
 */
export function windows1252Byte(codePoint: number): number | undefined {
  if (codePoint < 0x100) return codePoint;
  return BYTE_OF_CHAR.get(codePoint);
}
