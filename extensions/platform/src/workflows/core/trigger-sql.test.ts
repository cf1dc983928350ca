import { describe, expect, it } from '@jest/globals';
import { definitionSchema, SYSTEM_ROLE } from './definition.js';
import { functionNameOf, quoteIdentifier, quoteLiteral, triggerFunctionSql, triggersSql } from './trigger-sql.js';

const definition = definitionSchema.parse({
  collection: 'tickets',
  state_field: 'status',
  comment_field: 'workflow_comment',
  states: ['new', 'open', 'solved', 'closed'],
  initial_states: ['new'],
  transitions: [
    { name: 'open', from: 'new', to: 'open', roles: ['r-agent'] },
    { name: 'staff_reopen', from: 'solved', to: 'open', roles: ['r-agent', 'r-manager'] },
    { name: "customer's reopen", from: 'solved', to: 'open', roles: ['r-customer'], event: 'tickets.reopened' },
    { name: 'close', from: 'solved', to: 'closed', roles: [SYSTEM_ROLE] },
    { name: 'admin_only', from: 'open', to: 'closed', roles: [] },
  ],
  stamps: { solved: 'solved_at', closed: 'closed_at' },
});
const table = {
  primaryKey: 'id',
  columns: ['id', 'status', 'workflow_comment', 'user_created', 'user_updated', 'solved_at'],
};
const sql = triggerFunctionSql(definition, table, { historyTable: 'workflow_history' }, 'groundwork_workflow_tickets');

describe('generated trigger function', () => {
  it('writes each pair of states once, its transitions in the definition order with their roles', () => {
    const reopen = sql.slice(sql.indexOf(`old_state = 'solved' and new_state = 'open'`));
    const staff = reopen.indexOf(`if actor_admin or actor_roles && array['r-agent', 'r-manager']::text[] then`);
    const customer = reopen.indexOf(`elsif actor_admin or actor_roles && array['r-customer']::text[] then`);
    expect(staff).toBeGreaterThan(0);
    expect(customer).toBeGreaterThan(staff);
    expect(sql.match(/old_state = 'solved' and new_state = 'open'/g)).toHaveLength(1);
    expect(sql).toContain(`if actor_admin then\n      move_name := 'admin_only';`);
  });

  it('carries the event names the TypeScript rule gives, and escapes literals', () => {
    expect(sql).toContain(`move_name := 'customer''s reopen';\n      move_event := 'tickets.reopened';`);
    expect(sql).toContain(`move_name := 'close';\n      move_event := 'workflow.tickets.closed';`);
    expect(sql).toContain(`actor_roles := array['$system'];`);
  });

  it('uses the actor columns and stamps the table has, and clears the comment', () => {
    expect(sql).toContain('actor := new."user_updated";');
    expect(sql).toContain(`values ('tickets', item, null, new_state, null, new."user_created", note, now());`);
    expect(sql).toMatch(/if new_state is not null then\n\s+insert into "workflow_history"/);
    expect(sql).toContain(`if new_state = 'solved' and new."solved_at" is null then new."solved_at" := now(); end if;`);
    expect(sql).toContain(`if new_state = 'solved' then new."solved_at" := now(); end if;`);
    expect(sql).not.toContain('closed_at'); // not a column of this table
    expect(sql).toContain('new."workflow_comment" := null;');
    const bare = triggerFunctionSql(
      { ...definition, comment_field: null },
      { primaryKey: 'key', columns: ['key', 'status'] },
      { historyTable: 'workflow_history' },
      'f',
    );
    expect(bare).toContain('actor := null;');
    expect(bare).toContain('item text := new."key"::text;');
    expect(bare).not.toContain('workflow_comment');
  });

  it('picks a dollar-quote tag the body does not contain', () => {
    const tricky = definitionSchema.parse({
      ...definition,
      transitions: [{ name: '$groundwork$', from: 'new', to: 'open', roles: [] }],
    });
    const text = triggerFunctionSql(tricky, table, { historyTable: 'h' }, 'f');
    expect(text).toMatch(/as \$groundwork1\$\n/);
    expect(text.endsWith('$groundwork1$')).toBe(true);
  });

  it('generates no move branch for a definition without transitions', () => {
    const none = triggerFunctionSql({ ...definition, transitions: [] }, table, { historyTable: 'h' }, 'f');
    expect(none).not.toContain('old_state = ');
    expect(none).toContain('if move_name is null then');
  });
});

describe('triggers', () => {
  it('fire on update only when the state changes or a comment comes with the write', () => {
    const [insert, update] = triggersSql(definition, table, 'groundwork_workflow_tickets');
    expect(insert).toBe(
      'create trigger groundwork_workflow_insert before insert on "tickets" for each row execute function "groundwork_workflow_tickets"()',
    );
    expect(update).toContain('when (old."status" is distinct from new."status" or new."workflow_comment" is not null)');
    const [, plain] = triggersSql(definition, { primaryKey: 'id', columns: ['id', 'status'] }, 'f');
    expect(plain).toContain('when (old."status" is distinct from new."status")');
  });

  it('names functions after the collection, hashed when too long, and quotes names', () => {
    expect(functionNameOf('tickets', () => 'x')).toBe('groundwork_workflow_tickets');
    expect(functionNameOf('c'.repeat(60), () => 'abcdef0123456789ffff')).toBe('groundwork_workflow_abcdef0123456789');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteLiteral("a'b")).toBe("'a''b'");
  });
});
