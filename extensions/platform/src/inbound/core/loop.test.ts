import { describe, expect, it } from '@jest/globals';
import { automaticReason } from './loop.js';

const own = ['support@desk.example.com'];

describe('automaticReason', () => {
  it('lets a person’s email through (Auto-Submitted: no included)', () => {
    expect(automaticReason({}, 'jana@customer.example', own)).toBeNull();
    expect(automaticReason({ 'auto-submitted': 'no' }, 'jana@customer.example', own)).toBeNull();
    expect(automaticReason({ precedence: 'first-class' }, 'jana@customer.example', own)).toBeNull();
  });
  it.each([
    [{ 'auto-submitted': 'auto-replied' }, 'Auto-Submitted: auto-replied'],
    [{ 'auto-submitted': ['auto-generated; owner-email="x@y"'] }, 'Auto-Submitted: auto-generated; owner-email="x@y"'],
    [{ precedence: 'bulk' }, 'Precedence: bulk'],
    [{ precedence: 'Junk' }, 'Precedence: junk'],
    [{ precedence: 'list' }, 'Precedence: list'],
    [{ 'x-autoreply': 'yes' }, 'x-autoreply: yes'],
    [{ 'x-autorespond': 'on' }, 'x-autorespond: on'],
    [{ 'x-auto-response-suppress': 'All' }, 'x-auto-response-suppress: all'],
    [{ 'list-id': '<users.lists.example>' }, 'a mailing list message'],
    [{ 'return-path': '<>' }, 'a bounce (empty Return-Path)'],
  ])('drops %j', (headers, reason) => {
    expect(automaticReason(headers, 'jana@customer.example', own)).toBe(reason);
  });
  it('keeps Outlook’s suppression of read receipts only', () => {
    expect(automaticReason({ 'x-auto-response-suppress': 'DR, RN' }, 'jana@customer.example', own)).toBeNull();
  });
  it('drops mail from our own address, whatever its case', () => {
    expect(automaticReason({}, 'Support@Desk.Example.com', own)).toBe('sent from our own address');
    expect(automaticReason({}, null, own)).toBeNull();
  });
});
