import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router-dom";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { queryKeys } from "../../app/query-keys.js";

/** Creates a public or private room and opens it. */
export function NewRoomForm() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [type, setType] = useState<"public" | "private">("public");
  const create = useMutation({
    mutationFn: () => client.chat.createRoom({ name: name.trim(), type }),
    onSuccess: async (room) => {
      setName("");
      await queryClient.invalidateQueries({ queryKey: queryKeys.rooms });
      navigate(`/chat/${room.id}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim()) create.mutate();
  };
  return (
    <form className="new-room" onSubmit={submit} aria-labelledby="new-room-title">
      <h2 id="new-room-title" className="panel-title">
        New room
      </h2>
      {create.error && (
        <p className="form-error" role="alert">
          {describeError(create.error)}
        </p>
      )}
      <div className="field">
        <label htmlFor="new-room-name">Room name</label>
        <input
          id="new-room-name"
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. general"
        />
      </div>
      <fieldset className="room-type">
        <legend>Who can join</legend>
        <label>
          <input
            type="radio"
            name="room-type"
            checked={type === "public"}
            onChange={() => setType("public")}
          />{" "}
          Anyone with the link
        </label>
        <label>
          <input
            type="radio"
            name="room-type"
            checked={type === "private"}
            onChange={() => setType("private")}
          />{" "}
          Only people I add
        </label>
      </fieldset>
      <button type="submit" className="button" disabled={create.isPending || !name.trim()}>
        Create room
      </button>
    </form>
  );
}
