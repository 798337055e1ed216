// citation-js ships no type declarations; this is the small surface Corpus Cite uses.
declare module '@citation-js/core' {
  export class Cite {
    constructor(data: unknown, options?: object);
    format(format: string, options?: object): string | object;
  }
  export const plugins: { config: { get(name: string): unknown } };
}
declare module '@citation-js/plugin-csl';
declare module '@citation-js/plugin-bibtex';
declare module '@citation-js/plugin-ris';
