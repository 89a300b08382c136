import { type FormEvent, useRef, useState } from "react";
import { client } from "../../api/client.js";
import { describeError, errorCode } from "../../api/errors.js";
import { useTitle } from "../../app/use-title.js";
import { Field } from "../../components/Field.js";
import { AuthCard } from "./AuthCard.js";
import { AuthForm } from "./AuthForm.js";
import { DemoUsers } from "./DemoUsers.js";

/** Sign in with email and password; demo accounts fill the form in one click. */
export default function SignInScreen() {
  useTitle("Sign in");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submitRef = useRef<HTMLButtonElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // On success the session changes and the route guard moves on to the app.
      await client.auth.login({ email, password });
    } catch (err) {
      setError(
        errorCode(err) === "unauthenticated"
          ? "That email and password do not match an account."
          : describeError(err),
      );
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in">
      <AuthForm
        onSubmit={submit}
        error={error}
        busy={busy}
        submitLabel="Sign in"
        busyLabel="Signing in…"
        submitRef={submitRef}
        other={{ prompt: "New to Softchat?", pathname: "/signup", label: "Create an account" }}
      >
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </AuthForm>
      <DemoUsers
        onPick={(account) => {
          setEmail(account.email);
          setPassword(account.password);
          setError(null);
          submitRef.current?.focus();
        }}
      />
    </AuthCard>
  );
}
