-- Chat: rooms (public, private, one per pair of users for DMs), members with their read position, messages.

CREATE TABLE chat_rooms (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  type TEXT NOT NULL CHECK (type IN ('public', 'private', 'dm')),
  -- "<smaller user id>:<larger user id>" for a DM: the unique key that makes the pair's room one room
  -- even when both users open it at the same moment.
  dm_key TEXT UNIQUE,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_message_at TIMESTAMPTZ,
  CHECK ((type = 'dm') = (dm_key IS NOT NULL))
);
CREATE INDEX chat_rooms_public_idx ON chat_rooms (created_at DESC) WHERE type = 'public';

CREATE TABLE chat_members (
  room_id UUID NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
  -- Everything up to this seq counts as read.
  last_read_seq BIGINT NOT NULL DEFAULT 0,
  joined_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX chat_members_user_idx ON chat_members (user_id);

-- seq orders a room's messages. Senders take the room row's lock before inserting, so within a room seq
-- grows in commit order: a reader who has seen seq N never later finds a committed message below N.
CREATE TABLE chat_messages (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  seq BIGSERIAL NOT NULL UNIQUE,
  room_id UUID NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
  sender_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  text TEXT NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4000),
  client_id TEXT CHECK (char_length(client_id) BETWEEN 1 AND 100),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX chat_messages_room_seq_idx ON chat_messages (room_id, seq);
-- A resend with the same clientId stores nothing new.
CREATE UNIQUE INDEX chat_messages_client_key ON chat_messages (room_id, sender_id, client_id)
  WHERE client_id IS NOT NULL;
