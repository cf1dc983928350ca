// The few Directus system tables our SQL and adapters read, reduced to the columns they use (Directus 11.17.4 names
// and types). A medium test creates them instead of installing Directus: roles with their parent, users with their
// role (no domain column: a test that needs one adds it), policies and the access rows that link a policy to a role
// or a user, and directus_notifications for in-app delivery.
import type { Knex } from 'knex';

export async function createDirectusTables(sql: Knex): Promise<void> {
  await sql.raw(`
    create table directus_roles (
      id uuid primary key,
      name varchar(100) not null,
      parent uuid references directus_roles (id)
    );
    create table directus_users (
      id uuid primary key,
      first_name varchar(50),
      last_name varchar(50),
      email varchar(128) unique,
      role uuid references directus_roles (id),
      status varchar(16) not null default 'active'
    );
    create table directus_policies (
      id uuid primary key,
      name varchar(100) not null,
      admin_access boolean not null default false,
      app_access boolean not null default false
    );
    create table directus_access (
      id uuid primary key default gen_random_uuid(),
      role uuid references directus_roles (id),
      "user" uuid references directus_users (id),
      policy uuid not null references directus_policies (id)
    );
    create table directus_notifications (
      id serial primary key,
      timestamp timestamptz default current_timestamp,
      status varchar(255) default 'inbox',
      recipient uuid not null references directus_users (id),
      sender uuid references directus_users (id),
      subject varchar(255) not null,
      message text,
      collection varchar(64),
      item varchar(255)
    );
  `);
}
