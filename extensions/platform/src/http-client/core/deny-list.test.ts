import { describe, expect, it } from '@jest/globals';
import { buildDenyList, denyListEntries, DIRECTUS_DEFAULT_DENY_LIST } from './deny-list.js';

const interfaces = [
  { address: '127.0.0.1', cidr: '127.0.0.1/8', internal: true },
  { address: '::1', cidr: '::1/128', internal: true },
  { address: '10.1.2.3', cidr: '10.1.2.3/24', internal: false },
];

describe('the deny list', () => {
  it('reads Directus env values: unset is the default, strings split on commas', () => {
    expect(denyListEntries(undefined)).toEqual([...DIRECTUS_DEFAULT_DENY_LIST]);
    expect(denyListEntries(' 10.0.0.0/8 , 1.2.3.4 ')).toEqual(['10.0.0.0/8', '1.2.3.4']);
    expect(denyListEntries(['1.2.3.4'])).toEqual(['1.2.3.4']);
    expect(denyListEntries('')).toEqual([]);
  });

  it('denies loopback (whole 127/8), this host and metadata under the default list', () => {
    const list = buildDenyList(denyListEntries(undefined), interfaces);
    for (const address of ['127.0.0.1', '127.9.9.9', '::1', '10.1.2.3', '169.254.169.254', '::ffff:127.0.0.1'])
      expect([address, list.isDenied(address)]).toEqual([address, true]);
    for (const address of ['10.1.2.4', '93.184.216.34', '2606:2800:220:1::1'])
      expect([address, list.isDenied(address)]).toEqual([address, false]);
  });

  it('always denies the unspecified addresses, which reach this host', () => {
    const list = buildDenyList([], interfaces);
    expect(list.isDenied('0.0.0.0')).toBe(true);
    expect(list.isDenied('0.1.2.3')).toBe(true);
    expect(list.isDenied('::')).toBe(true);
    expect(list.isDenied('127.0.0.1')).toBe(false);
  });

  it('takes ranges, subnets and addresses', () => {
    const list = buildDenyList(['192.168.0.0/16', '172.16.0.1-172.16.0.9', 'fd00::/8', '8.8.8.8'], []);
    expect(list.isDenied('192.168.44.1')).toBe(true);
    expect(list.isDenied('172.16.0.5')).toBe(true);
    expect(list.isDenied('172.16.0.10')).toBe(false);
    expect(list.isDenied('fd12::1')).toBe(true);
    expect(list.isDenied('8.8.8.8')).toBe(true);
    expect(list.isDenied('8.8.4.4')).toBe(false);
  });

  it('denies everything when the list cannot be read, as Directus does', () => {
    const list = buildDenyList(['not-an-ip'], []);
    expect(list.invalid).toMatch(/not-an-ip/);
    expect(list.isDenied('93.184.216.34')).toBe(true);
    expect(buildDenyList(['10.0.0.0/x'], []).isDenied('8.8.8.8')).toBe(true);
  });

  it('denies what is not an address', () => {
    expect(buildDenyList([], []).isDenied('localhost')).toBe(true);
  });
});
