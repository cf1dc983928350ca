// The one registry of audience groups in this bundle: domains register through the platform API, fan-out reads it.
import type { Knex } from 'knex';
import { createAudienceGroups } from './core/groups.js';

export const audienceGroups = createAudienceGroups<Knex>();
