import { describe, expect, it } from '@jest/globals';
import { pathHasMalformedEncoding } from './url.js';

describe('pathHasMalformedEncoding', () => {
  it.each(['/items/tickets/%zz', '/items/tickets/%ff', '/items/t/%c0%af', '/users/%', '/groundwork/v1/jobs/%E2%80'])(
    'refuses %s',
    (url) => expect(pathHasMalformedEncoding(url)).toBe(true),
  );

  it.each(['/items/tickets/abc', '/items/tickets/%E2%80%AE', '/users/me?filter=%zz', '/items/t/a%20b', '/'])(
    'accepts %s (a bad query string is not the path)',
    (url) => expect(pathHasMalformedEncoding(url)).toBe(false),
  );
});
