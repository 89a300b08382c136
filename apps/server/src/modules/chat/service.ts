// The chat domain's rules, split by subject; other modules and the edges import them from here.
export { assertMember, contactIdsOf, roomIdsOf, shareARoom } from "./access.js";
export { listMessages, markRoomRead, sendMessage, setTyping } from "./messages.js";
export {
  addMember,
  createRoom,
  getRoom,
  joinRoom,
  leaveRoom,
  listMyRooms,
  listPublicRooms,
  listRoomUsers,
  openDm,
} from "./rooms.js";
