import { MESSAGE_MAX_LENGTH } from "@softchat/contracts";
import { type FormEvent, type KeyboardEvent, useState } from "react";

interface Props {
  roomName: string;
  onSend: (text: string) => void;
  onTyping: () => void;
}

/** The message box: Enter sends, Shift+Enter starts a new line. Sending works offline too (it queues). */
export function Composer({ roomName, onSend, onTyping }: Props) {
  const [text, setText] = useState("");
  const length = Array.from(text).length;
  const tooLong = length > MESSAGE_MAX_LENGTH;
  const canSend = text.trim().length > 0 && !tooLong;

  const send = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    onSend(text);
    setText("");
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form className="composer" onSubmit={send}>
      <label htmlFor="composer-input" className="visually-hidden">
        Message {roomName}
      </label>
      <textarea
        id="composer-input"
        className="input"
        rows={1}
        placeholder={`Message ${roomName}`}
        value={text}
        aria-invalid={tooLong || undefined}
        aria-describedby={tooLong ? "composer-error" : undefined}
        onChange={(e) => {
          setText(e.target.value);
          onTyping();
        }}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="button" disabled={!canSend}>
        Send
      </button>
      {tooLong && (
        <p id="composer-error" className="composer-error" role="alert">
          {length - MESSAGE_MAX_LENGTH} characters over the {MESSAGE_MAX_LENGTH}-character limit
        </p>
      )}
    </form>
  );
}
