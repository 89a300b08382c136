export {
  type NotificationsView,
  type RealTimeChat,
  useConnectionState,
  useNotifications,
  usePresence,
  useRealTimeChat,
} from "./hooks.js";
export { SoftchatProvider, type SoftchatProviderProps, useSoftchat } from "./provider.js";
