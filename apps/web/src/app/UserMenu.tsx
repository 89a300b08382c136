import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { client } from "../api/client.js";
import { useSession } from "./hooks.js";

/** The signed-in user's name and the sign-out button. */
export function UserMenu() {
  const { user } = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const signOut = async () => {
    setBusy(true);
    await client.auth.logout();
    navigate("/signin", { replace: true });
  };
  return (
    <div className="user-menu">
      <span className="name" data-testid="current-user">
        {user?.username}
      </span>
      <button type="button" className="button small" onClick={signOut} disabled={busy}>
        Sign out
      </button>
    </div>
  );
}
