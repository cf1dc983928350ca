import { describe, expect, it } from '@jest/globals';
import {
  ERASED,
  auditDetail,
  changed,
  checkAdminErasure,
  checkLastAdmin,
  checkSelfErasure,
  emptyDomainErasure,
  eraseSelfBody,
  eraseUserBody,
  eraseUserParams,
  erasureThrottleKey,
  filesToRemove,
  identifiersOf,
  ownText,
  redactText,
  redactedFields,
  scrubJson,
  searchTerms,
  sumCounts,
} from './erasure.js';

const ID = '6f1c2a9e-2b7d-4c1e-9a3b-1d2e3f4a5b6c';
const carol = identifiersOf({ id: ID, email: 'Carol.Jones@acme.example', first_name: 'Carol', last_name: 'Jones' });

describe('who may erase whom', () => {
  it('lets anyone signed in ask for their own erasure (the password check follows)', () => {
    expect(checkSelfErasure({ user: 'u1', admin: false })).toBeNull();
    expect(checkSelfErasure({ user: 'a1', admin: true })).toBeNull();
    expect(checkSelfErasure({ user: null, admin: false })).toEqual({ refused: 'unauthenticated' });
  });

  it('keeps the admin route to admins, on someone else', () => {
    expect(checkAdminErasure({ user: 'a1', admin: true }, 'u1')).toBeNull();
    expect(checkAdminErasure({ user: 'm1', admin: false }, 'u1')).toEqual({ refused: 'forbidden' });
    expect(checkAdminErasure({ user: 'm1', admin: false }, null)).toEqual({ refused: 'forbidden' });
    expect(checkAdminErasure({ user: null, admin: false }, 'u1')).toEqual({ refused: 'unauthenticated' });
    expect(checkAdminErasure({ user: 'a1', admin: true }, 'a1')).toMatchObject({
      refused: 'conflict',
      reason: expect.stringContaining('/users/me/erasure'),
    });
  });

  it('never erases the last active administrator', () => {
    expect(checkLastAdmin({ admin: true }, 0)).toMatchObject({ refused: 'conflict' });
    expect(checkLastAdmin({ admin: true }, 1)).toBeNull();
    expect(checkLastAdmin({ admin: false }, 0)).toBeNull();
  });
});

describe('identifiers and redaction', () => {
  it('searches email, full name and id, not a first or last name alone', () => {
    expect(searchTerms(carol)).toEqual([ID, 'Carol.Jones@acme.example', 'Carol Jones']);
    expect(identifiersOf({ id: ID, email: null, first_name: 'Carol', last_name: null })).toEqual({
      id: ID,
      email: null,
      fullName: null,
    });
  });

  it('replaces every mention in any case, a full name across any whitespace, and leaves other words alone', () => {
    const text = `Call CAROL.JONES@ACME.EXAMPLE or carol   jones (user ${ID}); Carol from Jonestown agrees.`;
    expect(redactText(text, carol)).toBe(`Call ${ERASED} or ${ERASED} (user ${ERASED}); Carol from Jonestown agrees.`);
    expect(redactText('nothing here', carol)).toBe('nothing here');
  });

  it('treats the identifiers as text, not as patterns', () => {
    const odd = identifiersOf({ id: 'x'.repeat(36), email: 'a+b.(c)@x.example', first_name: 'A.', last_name: '*' });
    expect(redactText('mail a+b.(c)@x.example; ab (c)@xxexample', odd)).toBe(`mail ${ERASED}; ab (c)@xxexample`);
  });
});

describe('scrubJson', () => {
  it('nulls references to the person, redacts mentions and blanks the fields that held their words', () => {
    const revision = {
      author: ID,
      body: 'my phone is 555',
      ticket: 'other-id',
      nested: [{ requester: ID.toUpperCase(), note: 'Carol Jones said hi' }],
      count: 3,
      flag: true,
      empty: null,
    };
    expect(scrubJson(revision, carol, new Set(['body']))).toEqual({
      author: null,
      body: ERASED,
      ticket: 'other-id',
      nested: [{ requester: null, note: `${ERASED} said hi` }],
      count: 3,
      flag: true,
      empty: null,
    });
    expect(revision.body).toBe('my phone is 555');
  });

  it('leaves unrelated JSON as it was', () => {
    const value = { a: [1, 'two', { b: null }] };
    expect(changed(value, scrubJson(value, carol))).toBe(false);
    expect(changed(value, scrubJson({ a: [1, ID, { b: null }] }, carol))).toBe(true);
  });
});

describe('ownText', () => {
  it("replaces a customer's words and keeps a staff member's, without mentions of them", () => {
    expect(ownText('please call Carol Jones', false, carol)).toBe(ERASED);
    expect(ownText('signed, Carol Jones', true, carol)).toBe(`signed, ${ERASED}`);
    expect(ownText(null, false, carol)).toBeNull();
  });
});

describe('combining the domains', () => {
  it('removes uploads and domain additions, keeps what a domain keeps', () => {
    const desk = { ...emptyDomainErasure(), removeFiles: ['f3'], keepFiles: ['f2'] };
    expect(filesToRemove(['f1', 'f2'], [desk])).toEqual(['f1', 'f3']);
    expect(filesToRemove([], [])).toEqual([]);
  });

  it('merges redacted fields per item', () => {
    const a = { ...emptyDomainErasure(), redacted: [{ collection: 'tickets', items: ['t1'], fields: ['subject'] }] };
    const b = { ...emptyDomainErasure(), redacted: [{ collection: 'tickets', items: ['t1'], fields: ['body'] }] };
    expect(redactedFields([a, b]).get('tickets:t1')).toEqual(new Set(['subject', 'body']));
    expect(redactedFields([a]).get('tickets:t2')).toBeUndefined();
  });

  it('adds counts', () => {
    expect(sumCounts({ a: 1 }, { a: 2, b: 1 }, {})).toEqual({ a: 3, b: 1 });
  });
});

describe('auditDetail', () => {
  it("holds the admin, the reason without the person and counts, never the person's id", () => {
    const detail = auditDetail({
      by: 'admin',
      actor: 'admin-1',
      staff: false,
      reason: 'Request DSR-12 from carol.jones@acme.example (Carol Jones)',
      identifiers: carol,
      counts: { accounts_deleted: 1 },
    });
    expect(detail).toEqual({
      by: 'admin',
      actor: 'admin-1',
      subject_kind: 'customer',
      reason: `Request DSR-12 from ${ERASED} (${ERASED})`,
      counts: { accounts_deleted: 1 },
    });
    expect(JSON.stringify(detail)).not.toMatch(new RegExp(`${ID}|carol|jones`, 'i'));
  });

  it('names no actor for self-erasure: the actor is the person', () => {
    const detail = auditDetail({ by: 'self', actor: ID, staff: true, reason: null, identifiers: carol, counts: {} });
    expect(detail).toMatchObject({ by: 'self', actor: null, subject_kind: 'staff', reason: null });
  });
});

describe('the routes contract', () => {
  it('needs a password, allows a 6-digit code, and nothing else', () => {
    expect(eraseSelfBody.safeParse({ password: 'x' }).success).toBe(true);
    expect(eraseSelfBody.safeParse({ password: 'x', otp: '123456' }).success).toBe(true);
    expect(eraseSelfBody.safeParse({}).success).toBe(false);
    expect(eraseSelfBody.safeParse({ password: '' }).success).toBe(false);
    expect(eraseSelfBody.safeParse({ password: 'x', otp: '12' }).success).toBe(false);
    expect(eraseSelfBody.safeParse({ password: 'x', user: 'u2' }).success).toBe(false);
  });

  it('needs a uuid and a reason on the admin route', () => {
    expect(eraseUserParams.safeParse({ id: ID }).success).toBe(true);
    expect(eraseUserParams.safeParse({ id: 'nope' }).success).toBe(false);
    expect(eraseUserBody.safeParse({ reason: 'DSR-12' }).success).toBe(true);
    expect(eraseUserBody.safeParse({ reason: '  ' }).success).toBe(false);
    expect(eraseUserBody.safeParse({}).success).toBe(false);
    expect(eraseUserBody.safeParse({ reason: 'x'.repeat(501) }).success).toBe(false);
  });
});

describe('erasureThrottleKey', () => {
  it('is stable per account and does not hold the id', () => {
    expect(erasureThrottleKey(ID)).toBe(erasureThrottleKey(ID));
    expect(erasureThrottleKey(ID)).not.toContain(ID);
    expect(erasureThrottleKey(ID)).not.toBe(erasureThrottleKey('other'));
  });
});
