import type { FormEvent, ReactNode, Ref } from "react";
import { Link, useLocation } from "react-router-dom";

interface AuthFormProps {
  /** The form's fields. */
  children?: ReactNode;
  onSubmit: (event: FormEvent) => void;
  /** A message about the whole form, announced as an alert; null shows none. */
  error: string | null;
  /** While true the submit button is disabled and shows `busyLabel`. */
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  submitRef?: Ref<HTMLButtonElement> | undefined;
  /** The link to the other auth screen, under the form; it keeps the query (where to go after sign-in). */
  other: { prompt: string; pathname: string; label: string };
}

/** The form of the sign-in and sign-up screens: form error, fields, submit button, link to the other one. */
export function AuthForm({
  children,
  onSubmit,
  error,
  busy,
  submitLabel,
  busyLabel,
  submitRef,
  other,
}: AuthFormProps) {
  const location = useLocation();
  return (
    <>
      <form onSubmit={onSubmit} noValidate>
        {error && (
          <div className="form-error" role="alert">
            {error}
          </div>
        )}
        {children}
        <button type="submit" className="button" disabled={busy} ref={submitRef}>
          {busy ? busyLabel : submitLabel}
        </button>
      </form>
      <p>
        {other.prompt} <Link to={{ pathname: other.pathname, search: location.search }}>{other.label}</Link>
      </p>
    </>
  );
}
