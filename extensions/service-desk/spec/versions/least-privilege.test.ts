import { describe, expect, it } from '@jest/globals';
import { POLICY, permissions as serviceDesk, type PermissionSpec } from '../service-desk/access.js';
import { widenedPermissions } from '../workflows/access.js';
import { CUSTOMER_TICKET_UPDATE_FIELDS, permissions as accessRules } from './access-rules.js';
import { applyReplacements, DATABASE_SET_FIELDS, replacements } from './least-privilege.js';
import { SLA_PAUSE_FIELDS } from './sla-rules.js';

/** Every permission as of version 0004: 0002, 0003's changes (access-rules, workflows) and this version's. */
function current(): PermissionSpec[] {
  const widened = serviceDesk.map((spec) => {
    const base =
      spec.policy === POLICY.customer && spec.collection === 'tickets' && spec.action === 'update'
        ? { ...spec, fields: CUSTOMER_TICKET_UPDATE_FIELDS }
        : spec;
    const grant = widenedPermissions.find(
      (w) => w.policy === base.policy && w.collection === base.collection && w.action === base.action,
    );
    return grant ? { ...base, fields: [...base.fields, ...grant.add] } : base;
  });
  return applyReplacements([...widened, ...accessRules]);
}

const writes = () =>
  current().filter(
    (spec) =>
      (spec.action === 'create' || spec.action === 'update') &&
      ['tickets', 'ticket_messages', 'kb_articles'].includes(spec.collection),
  );

describe('least-privilege', () => {
  it('finds every permission it narrows among the earlier versions’ specs', () => {
    for (const r of replacements) {
      const found = [...serviceDesk, ...accessRules].filter(
        (spec) => spec.policy === r.policy && spec.collection === r.collection && spec.action === r.action,
      );
      expect([r.collection, r.action, found.length]).toEqual([r.collection, r.action, 1]);
    }
  });

  it('leaves no non-admin write of a field the database sets (0005 adds the SLA pause fields), and no wildcard', () => {
    // 0005-sla-rules changes no permission, so the permissions as of 0004 are also those of 0005.
    const databaseSet = [...DATABASE_SET_FIELDS, ...SLA_PAUSE_FIELDS];
    for (const spec of writes()) {
      const tag = `${spec.policy} ${spec.collection} ${spec.action}`;
      expect([tag, spec.fields.filter((field) => field === '*' || databaseSet.includes(field))]).toEqual([tag, []]);
    }
  });

  it('lets no non-admin set an article’s author or a ticket’s rating, except the customer rating', () => {
    for (const spec of writes()) {
      const tag = `${spec.policy} ${spec.collection} ${spec.action}`;
      if (spec.collection === 'kb_articles') expect([tag, spec.fields.includes('author')]).toEqual([tag, false]);
      if (spec.collection === 'tickets' && spec.policy !== POLICY.customer)
        expect([tag, spec.fields.includes('satisfaction')]).toEqual([tag, false]);
    }
  });
});
