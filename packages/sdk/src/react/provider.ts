import { createContext, createElement, type ReactNode, useContext, useEffect } from "react";
import type { SoftchatClient } from "../client.js";

const SoftchatContext = createContext<SoftchatClient | null>(null);

export interface SoftchatProviderProps {
  client: SoftchatClient;
  /** Connect the realtime client while signed in (default true). */
  connect?: boolean;
  children?: ReactNode;
}

/**
 * Makes a Softchat client available to the hooks below it, and keeps its realtime connection open while
 * the user is signed in (it closes by itself on sign-out).
 */
export function SoftchatProvider({ client, connect = true, children }: SoftchatProviderProps) {
  useEffect(() => {
    if (!connect) return;
    if (client.auth.accessToken !== null) client.realtime.connect();
    const stop = client.onAuthChange((state) => {
      if (state.signedIn) client.realtime.connect();
    });
    return () => {
      stop();
      client.realtime.disconnect();
    };
  }, [client, connect]);
  return createElement(SoftchatContext.Provider, { value: client }, children);
}

/** The client from the nearest SoftchatProvider. */
export function useSoftchat(): SoftchatClient {
  const client = useContext(SoftchatContext);
  if (!client) throw new Error("useSoftchat: wrap the component in <SoftchatProvider client={...}>");
  return client;
}
