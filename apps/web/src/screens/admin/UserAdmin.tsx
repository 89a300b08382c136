import type { AdminUserPatch, User } from "@softchat/contracts";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { Field } from "../../components/Field.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function patchUser(userId: string, patch: AdminUserPatch): Promise<User> {
  return client
    .request<{ user: User }>("PATCH", `/api/admin/users/${encodeURIComponent(userId)}`, { body: patch })
    .then((reply) => reply.user);
}

/**
 * Role, KYC level and freeze for one user, found by id (from the AML queue, a support ticket). The API has
 * no admin read of a user yet, so "Look up" sends an empty patch, which changes nothing, writes no audit
 * entry, and answers with the user as stored.
 */
export function UserAdmin({ initialUserId }: { initialUserId: string }) {
  const [userId, setUserId] = useState(initialUserId);
  const [user, setUser] = useState<User | null>(null);
  const [draft, setDraft] = useState<Required<AdminUserPatch> | null>(null);
  const [idError, setIdError] = useState<string | undefined>();
  const roleId = useId();
  const kycId = useId();

  const lookUp = useMutation({
    mutationFn: (id: string) => patchUser(id, {}),
    onSuccess: (found) => {
      setUser(found);
      setDraft({ role: found.role, kycLevel: found.kycLevel, frozen: found.frozen });
    },
  });
  const save = useMutation({
    mutationFn: (patch: AdminUserPatch) => patchUser(userId.trim(), patch),
    onSuccess: (saved) => {
      setUser(saved);
      setDraft({ role: saved.role, kycLevel: saved.kycLevel, frozen: saved.frozen });
    },
  });

  const submitLookUp = (event: FormEvent) => {
    event.preventDefault();
    const id = userId.trim();
    setIdError(UUID.test(id) ? undefined : "Enter a user id (a UUID)");
    save.reset();
    if (UUID.test(id)) lookUp.mutate(id);
  };

  return (
    <section className="card" aria-labelledby="user-admin-title">
      <h2 id="user-admin-title">Manage a user</h2>
      <form onSubmit={submitLookUp} noValidate className="inline-form">
        <Field
          label="User id"
          value={userId}
          onChange={(e) => setUserId(e.target.value)}
          error={idError}
          autoComplete="off"
        />
        <button type="submit" className="button secondary" disabled={lookUp.isPending}>
          Look up
        </button>
      </form>
      {(lookUp.error || save.error) && (
        <p className="form-error" role="alert">
          {describeError(lookUp.error ?? save.error)}
        </p>
      )}
      {user && draft && (
        <form
          className="user-admin"
          data-testid="user-admin"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(draft);
          }}
        >
          <p>
            <strong className="user-text">{user.username}</strong>{" "}
            <span className="muted user-text">{user.email}</span>
            {user.frozen && <span className="status-pill frozen">Frozen</span>}
          </p>
          <div className="field">
            <label htmlFor={roleId}>Role</label>
            <select
              id={roleId}
              value={draft.role}
              onChange={(e) => setDraft({ ...draft, role: e.target.value as User["role"] })}
            >
              <option value="user">User</option>
              <option value="creator">Creator</option>
              <option value="admin">Admin</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={kycId}>KYC level</label>
            <select
              id={kycId}
              value={draft.kycLevel}
              onChange={(e) => setDraft({ ...draft, kycLevel: Number(e.target.value) as User["kycLevel"] })}
            >
              <option value={1}>1: basic (email)</option>
              <option value={2}>2: standard (phone and ID)</option>
              <option value={3}>3: premium (full verification)</option>
            </select>
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.frozen}
              onChange={(e) => setDraft({ ...draft, frozen: e.target.checked })}
            />{" "}
            Frozen: transfers and withdrawals are blocked
          </label>
          {save.isSuccess && (
            <p className="notice" role="status">
              Saved.
            </p>
          )}
          <button type="submit" className="button" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save changes"}
          </button>
        </form>
      )}
    </section>
  );
}
