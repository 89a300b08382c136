// The chat domain's rules, split by subject; other modules and the edges import them from here.
export { assertMember, presenceAudiencesOf, roomIdsOf, shareARoom } from "./access.js";
export { listMessages, markRoomRead, sendMessage, setTyping, stopSendingMessages } from "./messages.js";
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
