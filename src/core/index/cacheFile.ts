/** The name of the warm-start cache file (alone here so the editor's bundle can name it without the parsers). */
export const CACHE_FILE = 'index-cache.v1';
