import { registerBodySchema } from "@softchat/contracts";
import { type FormEvent, useState } from "react";
import { client } from "../../api/client.js";
import { describeError, errorCode, fieldErrors } from "../../api/errors.js";
import { useTitle } from "../../app/use-title.js";
import { Field } from "../../components/Field.js";
import { AuthCard } from "./AuthCard.js";
import { AuthForm } from "./AuthForm.js";

type Fields = "email" | "username" | "password";

/** The server's own rules (the contract's registerBodySchema), checked here first for quick feedback. */
function checkLocally(values: Record<Fields, string>): Partial<Record<Fields, string>> {
  const parsed = registerBodySchema.safeParse(values);
  if (parsed.success) return {};
  const errors: Partial<Record<Fields, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if ((field === "email" || field === "username" || field === "password") && !errors[field]) {
      errors[field] = field === "email" ? "Enter a valid email address" : issue.message;
    }
  }
  return errors;
}

/** Create an account; on success the new user lands in the app. */
export default function SignUpScreen() {
  useTitle("Create your account");
  const [values, setValues] = useState<Record<Fields, string>>({ email: "", username: "", password: "" });
  const [errors, setErrors] = useState<Partial<Record<Fields, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (field: Fields) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setValues((v) => ({ ...v, [field]: e.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    const local = checkLocally(values);
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      await client.auth.register({
        email: values.email.trim(),
        username: values.username.trim(),
        password: values.password,
      });
    } catch (err) {
      const fields = fieldErrors(err);
      setErrors(fields);
      if (errorCode(err) === "conflict") setFormError("That email or username is already taken.");
      else if (Object.keys(fields).length === 0) setFormError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Create your account">
      <AuthForm
        onSubmit={submit}
        error={formError}
        busy={busy}
        submitLabel="Create account"
        busyLabel="Creating account…"
        other={{ prompt: "Already have an account?", pathname: "/signin", label: "Sign in" }}
      >
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={values.email}
          onChange={set("email")}
          error={errors.email}
        />
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          required
          value={values.username}
          onChange={set("username")}
          error={errors.username}
          hint="3 to 32 letters, digits, '_', '.' or '-'. Others see it in chat."
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          value={values.password}
          onChange={set("password")}
          error={errors.password}
          hint="At least 8 characters."
        />
      </AuthForm>
    </AuthCard>
  );
}
