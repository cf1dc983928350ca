// Which addresses outbound requests may not reach: Directus's IMPORT_IP_DENY_LIST, read the way Directus reads it
// (@directus/api request/is-denied-ip.js: addresses, `a-b` ranges, CIDR subnets, and `0.0.0.0` meaning every
// address of this machine's network interfaces, loopback subnets whole), plus two rules of our own: the unspecified
// addresses (0.0.0.0/8, ::) always, since connecting to them reaches this machine whatever the list says, and
// IPv4-mapped IPv6 addresses checked as the IPv4 address they carry. Pure: the interfaces are passed in.
import { BlockList, isIP } from 'node:net';

/** Directus's default for IMPORT_IP_DENY_LIST. */
export const DIRECTUS_DEFAULT_DENY_LIST = ['0.0.0.0', '169.254.169.254'] as const;

export interface InterfaceAddress {
  address: string;
  cidr: string | null;
  internal: boolean;
}

export interface DenyList {
  isDenied(address: string): boolean;
  /** The list could not be parsed: every address is denied (as Directus does), and this says why. */
  invalid: string | null;
}

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The list as Directus's env gives it (an array) or as a raw comma-separated string; unset means the default. */
export function denyListEntries(value: unknown): string[] {
  if (value === undefined || value === null) return [...DIRECTUS_DEFAULT_DENY_LIST];
  const raw = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return raw.map((entry) => entry.trim()).filter((entry) => entry.length > 0);
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

export function buildDenyList(entries: readonly string[], interfaces: readonly InterfaceAddress[]): DenyList {
  const list = new BlockList();
  list.addSubnet('0.0.0.0', 8, 'ipv4');
  list.addAddress('::', 'ipv6');
  let invalid: string | null = null;
  try {
    for (const entry of entries) {
      if (entry === '0.0.0.0') {
        for (const info of interfaces) {
          if (info.internal && info.cidr) {
            const [base, bits] = info.cidr.split('/');
            list.addSubnet(base!, Number(bits), family(base!));
          } else list.addAddress(info.address, family(info.address));
        }
      } else if (entry.includes('-')) {
        const [start, end] = entry.split('-').map((part) => part.trim());
        if (!start || !end || !isIP(start) || !isIP(end)) throw new Error(`"${entry}" is not a range of addresses`);
        list.addRange(start, end, family(start));
      } else if (entry.includes('/')) {
        const [base, bits] = entry.split('/');
        if (!base || !isIP(base) || !/^\d+$/.test(bits ?? '')) throw new Error(`"${entry}" is not a subnet`);
        list.addSubnet(base, Number(bits), family(base));
      } else {
        if (!isIP(entry)) throw new Error(`"${entry}" is not an IP address`);
        list.addAddress(entry, family(entry));
      }
    }
  } catch (error) {
    invalid = error instanceof Error ? error.message : String(error);
  }
  return {
    invalid,
    isDenied(address: string): boolean {
      if (invalid) return true;
      const mapped = MAPPED_V4.exec(address);
      const checked = mapped ? mapped[1]! : address;
      if (!isIP(checked)) return true;
      return list.check(checked, family(checked));
    },
  };
}
