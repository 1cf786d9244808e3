import type { ReactNode } from 'react';

/** Field name → message; `form` holds what belongs to no one field. */
export type Errors = Record<string, string>;

/** The attributes that tie a field to its error, when it has one. */
export function invalid(errors: Errors, name: string, id: string) {
  return errors[name] ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
}

/** The error under a field, named by the field's aria-describedby, and announced when it appears. */
export function FieldError({ errors, name, id }: { errors: Errors; name: string; id: string }) {
  return errors[name] ? (
    <p id={`${id}-error`} className="error field-error" role="alert">
      {errors[name]}
    </p>
  ) : null;
}

/** The error that belongs to the whole form, announced when it appears. */
export function FormError({ errors }: { errors: Errors }): ReactNode {
  return errors['form'] ? (
    <p className="error" role="alert">
      {errors['form']}
    </p>
  ) : null;
}

/**
 * A new password and its confirmation. The server's policy (length, common passwords, not the
 * email) decides and names the field; the confirmation is checked here, before anything is sent.
 */
export function NewPasswordFields({
  errors,
  idPrefix,
  name = 'newPassword',
  autoFocus = false,
}: {
  errors: Errors;
  idPrefix: string;
  name?: string;
  autoFocus?: boolean;
}) {
  const id = `${idPrefix}-new`;
  return (
    <>
      <label htmlFor={id}>New password</label>
      <p id={`${id}-hint`} className="hint">
        At least 12 characters. A phrase of your own is best; common passwords are refused.
      </p>
      <input
        id={id}
        name={name}
        type="password"
        autoComplete="new-password"
        required
        autoFocus={autoFocus}
        aria-describedby={errors[name] ? `${id}-error ${id}-hint` : `${id}-hint`}
        aria-invalid={errors[name] ? true : undefined}
      />
      <FieldError errors={errors} name={name} id={id} />
      <label htmlFor={`${idPrefix}-confirm`}>Confirm the new password</label>
      <input
        id={`${idPrefix}-confirm`}
        name="confirmPassword"
        type="password"
        autoComplete="new-password"
        required
        {...invalid(errors, 'confirmPassword', `${idPrefix}-confirm`)}
      />
      <FieldError errors={errors} name="confirmPassword" id={`${idPrefix}-confirm`} />
    </>
  );
}

/** The confirmation must match; an error for the confirmation field when it does not. */
export function confirmationErrors(form: FormData, name = 'newPassword'): Errors {
  return form.get(name) === form.get('confirmPassword')
    ? {}
    : { confirmPassword: 'does not match the new password; type it again' };
}
