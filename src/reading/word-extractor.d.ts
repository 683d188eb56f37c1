// The few members of word-extractor (no types of its own) that the .doc reader uses.
declare module 'word-extractor' {
  export default class WordExtractor {
    extract(source: Buffer | string): Promise<{ getBody(): string }>;
  }
}
