// A URL path Express cannot decode: its route parameters are decoded with decodeURIComponent, which throws on a
// stray `%` or bytes that are not UTF-8 (`%zz`, `%ff`, `%c0%af`), and Directus answers that error with a 500.

/** True when a segment of the path (without the query string) is not valid percent-encoded UTF-8. */
export function pathHasMalformedEncoding(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return path.split('/').some((segment) => {
    try {
      decodeURIComponent(segment);
      return false;
    } catch {
      return true;
    }
  });
}
