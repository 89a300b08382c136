import { useEffect } from "react";

/** Names the page after the screen ("Wallet · Softchat"), so tabs, history and screen readers say where you are. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Softchat` : "Softchat";
  }, [title]);
}
