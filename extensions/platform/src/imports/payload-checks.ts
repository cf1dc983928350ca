// Directus's payload checks for many rows of one import: its processPayload (permissions/modules/process-payload in
// @directus/api 11.17.4, pinned) step for step, with what it fetches per call (the caller's policies, permissions and
// the dynamic variables of rules such as `$CURRENT_USER.organization`) fetched once per import and action. Directus
// caches those fetches only when its cache is on, which this project keeps off (decision 0065): per row they were a
// third of an import's time. The per-row steps (the field list, presets, field and permission validation) are
// Directus's own, run on each row as REST would; only the Joi schemas of the validation rules are built once per
// import instead of once per row (`compiledValidation`), the largest per-row cost left after the fetches.
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { loadDirectusModule, loadDirectusPackage } from '../shared/directus-internals.js';

type Payload = Record<string, unknown>;
type Filter = Record<string, unknown>;
interface Permission {
  fields: string[] | null;
  validation: Filter | null;
  presets: Payload | null;
}
interface FieldOverview {
  field: string;
  defaultValue: unknown;
  validation: Filter | null;
}
type Context = { knex: Knex; schema: SchemaOverview };
type ValidationError = { details: unknown[] };
interface JoiSchema {
  validate: (value: unknown, options: { abortEarly: boolean }) => { error?: ValidationError };
}

interface Internals {
  fetchPolicies: (accountability: Accountability, context: Context) => Promise<string[]>;
  fetchPermissions: (
    options: { action: string; policies: string[]; collections: string[]; accountability: Accountability },
    context: Context,
  ) => Promise<Permission[]>;
  fetchDynamicVariableData: (
    options: { accountability: Accountability; policies: string[]; dynamicVariableContext: unknown },
    context: Context,
  ) => Promise<unknown>;
  extractRequiredDynamicVariableContext: (filter: Filter) => unknown;
  contextHasDynamicVariables: (context: unknown) => boolean;
  isFieldNullable: (field: FieldOverview) => boolean;
  createCollectionForbiddenError: (path: string, collection: string) => Error;
  createFieldsForbiddenError: (path: string, collection: string, fields: string[]) => Error;
  parseFilter: (filter: Filter, accountability: Accountability, context?: unknown) => Filter;
  generateJoi: (filter: Filter) => JoiSchema;
  injectFunctionResults: (payload: Payload, filter: Filter) => Payload;
  FailedValidationError: new (extensions: unknown) => Error;
  joiValidationErrorItemToErrorExtensions: (details: unknown, nested?: unknown) => unknown;
}

let internals: Promise<Internals> | null = null;
function directusPayloadInternals(): Promise<Internals> {
  // The same module instances Directus runs (shared/directus-internals.ts).
  internals ??= (async () => ({
    ...(await loadDirectusModule<Pick<Internals, 'fetchPolicies'>>('permissions/lib/fetch-policies')),
    ...(await loadDirectusModule<Pick<Internals, 'fetchPermissions'>>('permissions/lib/fetch-permissions')),
    ...(await loadDirectusModule<Pick<Internals, 'fetchDynamicVariableData'>>(
      'permissions/utils/fetch-dynamic-variable-data',
    )),
    ...(await loadDirectusModule<Pick<Internals, 'extractRequiredDynamicVariableContext'>>(
      'permissions/utils/extract-required-dynamic-variable-context',
    )),
    ...(await loadDirectusModule<Pick<Internals, 'contextHasDynamicVariables'>>(
      'permissions/modules/process-ast/utils/context-has-dynamic-variables',
    )),
    ...(await loadDirectusModule<Pick<Internals, 'isFieldNullable'>>(
      'permissions/modules/process-payload/lib/is-field-nullable',
    )),
    ...(await loadDirectusModule<Pick<Internals, 'createCollectionForbiddenError' | 'createFieldsForbiddenError'>>(
      'permissions/modules/process-ast/utils/validate-path/create-error',
    )),
    ...(await loadDirectusPackage<Pick<Internals, 'parseFilter' | 'generateJoi' | 'injectFunctionResults'>>('utils')),
    ...(await loadDirectusPackage<Pick<Internals, 'FailedValidationError' | 'joiValidationErrorItemToErrorExtensions'>>(
      'validation',
    )),
  }))();
  return internals;
}

/**
 * A check of one row's payload, as Directus's processPayload({ accountability, action, collection, payload }) would
 * answer it: the payload with the permission's presets, or a throw of Directus's own errors (forbidden collection or
 * fields; an array of FailedValidationError).
 */
export type PayloadCheck = (payload: Payload) => Payload;

export async function payloadCheck(
  options: { accountability: Accountability; action: 'create' | 'update'; collection: string },
  context: Context,
): Promise<PayloadCheck> {
  const directus = await directusPayloadInternals();
  const { accountability, action, collection } = options;
  let permissions: Permission[] | undefined;
  let permissionValidationRules: Array<Filter | null> = [];
  let policies: string[] = [];
  let fieldsAllowed: string[] | null = null;
  if (!accountability.admin) {
    policies = await directus.fetchPolicies(accountability, context);
    permissions = await directus.fetchPermissions(
      { action, policies, collections: [collection], accountability },
      context,
    );
    if (permissions.length === 0) {
      const forbidden = directus.createCollectionForbiddenError('', collection);
      return () => {
        throw forbidden;
      };
    }
    const allowed = [...new Set(permissions.flatMap((permission) => permission.fields ?? []))];
    fieldsAllowed = allowed.includes('*') ? null : allowed;
    permissionValidationRules = permissions.map((permission) => permission.validation);
  }
  const fields = Object.values(
    (context.schema.collections[collection]?.fields ?? {}) as unknown as Record<string, FieldOverview>,
  );
  const fieldValidationRules: Filter[] = [];
  for (const field of fields) {
    if (!directus.isFieldNullable(field)) {
      if (action === 'create' && field.defaultValue === null)
        fieldValidationRules.push({ [field.field]: { _submitted: true } });
      fieldValidationRules.push({ [field.field]: { _nnull: true } });
    }
    if (field.validation) {
      const required = directus.extractRequiredDynamicVariableContext(field.validation);
      const filterContext = directus.contextHasDynamicVariables(required)
        ? await directus.fetchDynamicVariableData(
            { accountability, policies, dynamicVariableContext: required },
            context,
          )
        : undefined;
      fieldValidationRules.push(directus.parseFilter(field.validation, accountability, filterContext));
    }
  }
  const validationRules = [...fieldValidationRules, ...permissionValidationRules].filter(
    (rule): rule is Filter => rule !== null && Object.keys(rule).length > 0,
  );
  const presets = (permissions ?? []).map((permission) => permission.presets);
  const validate = compiledValidation({ _and: validationRules }, directus);

  return (payload) => {
    if (fieldsAllowed !== null) {
      const notAllowed = Object.keys(payload).filter((field) => !fieldsAllowed.includes(field));
      if (notAllowed.length > 0) throw directus.createFieldsForbiddenError('', collection, notAllowed);
    }
    const payloadWithPresets: Payload = Object.assign({}, ...presets, payload);
    if (validationRules.length > 0) {
      const errors = validate(payloadWithPresets).flatMap((error) =>
        error.details.map(
          (details) => new directus.FailedValidationError(directus.joiValidationErrorItemToErrorExtensions(details)),
        ),
      );
      if (errors.length > 0) throw errors;
    }
    return payloadWithPresets;
  };
}

/**
 * Directus's validatePayload(filter, payload) (@directus/utils 11.17.4, pinned) as a function of the payload, with
 * each leaf's Joi schema generated once: validatePayload generates them on every call, which cost 0.15 ms a row (Joi
 * schemas are immutable, so one serves every row). Same walk: `_and` gathers every branch's errors; `_or` passes when
 * one branch passes, else gives every branch's errors; a leaf validates the payload with function results such as
 * `year(date)` injected when the leaf names one.
 */
export function compiledValidation(
  filter: Filter,
  directus: Pick<Internals, 'generateJoi' | 'injectFunctionResults'>,
): (payload: Payload) => ValidationError[] {
  const operator = Object.keys(filter)[0];
  if (operator === '_and' || operator === '_or') {
    const branches = (Object.values(filter)[0] as Filter[]).map((branch) => compiledValidation(branch, directus));
    if (operator === '_and') return (payload) => branches.flatMap((branch) => branch(payload));
    return (payload) => {
      const swallowed: ValidationError[] = [];
      for (const branch of branches) {
        const errors = branch(payload);
        if (errors.length === 0) return [];
        swallowed.push(...errors);
      }
      return swallowed;
    };
  }
  let schema: JoiSchema;
  try {
    schema = directus.generateJoi(filter);
  } catch (error) {
    // A leaf Directus cannot make a schema of (an empty rule) fails each row's check there, as it would per call.
    return () => {
      throw error;
    };
  }
  const withFunctions = namesAFunction(filter);
  return (payload) => {
    // validatePayload injects into a deep clone; Joi's validate does not change its input, so the clone is only
    // needed when there is something to inject.
    const value = withFunctions ? directus.injectFunctionResults(payload, filter) : payload;
    const { error } = schema.validate(value, { abortEarly: false });
    return error ? [error] : [];
  };
}

/** Whether a filter names a function of a field (`year(date_created)`) at any level, as injectFunctionResults reads. */
function namesAFunction(filter: Filter): boolean {
  return Object.entries(filter).some(
    ([key, value]) =>
      (key.includes('(') && key.includes(')')) ||
      (!key.startsWith('_') &&
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        namesAFunction(value as Filter)),
  );
}
