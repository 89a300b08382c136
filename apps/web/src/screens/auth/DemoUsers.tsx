import type { DemoAccount } from "@softchat/contracts";
import { useQuery } from "@tanstack/react-query";
import { fetchMeta } from "../../api/client.js";
import { queryKeys } from "../../app/query-keys.js";

/**
 * In embedded mode the server seeds demo accounts and lists them in `/api/meta`; each one is a button that
 * fills the sign-in form, so trying Softchat takes one click. Scaled deployments list none.
 */
export function DemoUsers({ onPick }: { onPick: (account: DemoAccount) => void }) {
  const meta = useQuery({
    queryKey: queryKeys.meta,
    queryFn: fetchMeta,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const demoUsers = meta.data?.mode === "embedded" ? meta.data.demoUsers : [];
  if (demoUsers.length === 0) return null;
  return (
    <section className="demo-users" aria-labelledby="demo-users-title">
      <h2 id="demo-users-title">Try a demo account</h2>
      <p className="muted">This server runs in demo mode. Pick an account to fill the form.</p>
      <ul>
        {demoUsers.map((account) => (
          <li key={account.email}>
            <button
              type="button"
              className="button secondary"
              onClick={() => onPick(account)}
              aria-label={`Fill in demo account ${account.username}`}
            >
              {account.username} <span className="muted">({account.email})</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
