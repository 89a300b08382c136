import type { ReactNode } from "react";

/** The centred card the sign-in and sign-up screens share. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand" aria-hidden="true">
          Softchat
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
