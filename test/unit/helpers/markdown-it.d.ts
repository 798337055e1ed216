// The little of markdown-it's API the preview tests use (markdown-it ships no types; VS Code's
// preview hands the plugin its own instance, typed in core/preview/markdownItCitations.ts).
declare module 'markdown-it' {
  interface Options {
    html?: boolean;
    linkify?: boolean;
    typographer?: boolean;
  }
  class MarkdownIt {
    constructor(options?: Options);
    render(src: string, env?: object): string;
    parse(src: string, env: object): { type: string; content: string }[];
    core: { ruler: { push(name: string, fn: (state: never) => void): void } };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    renderer: { rules: Record<string, any>; render(tokens: never[], options: unknown, env: unknown): string; renderInline(tokens: never[], options: unknown, env: unknown): string };
    options: object;
  }
  export default MarkdownIt;
}
