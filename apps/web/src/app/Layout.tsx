import { NavLink, Outlet } from "react-router-dom";
import { ConnectionBanner } from "./ConnectionBanner.js";
import { useSession } from "./hooks.js";
import { NotificationBell } from "./NotificationBell.js";
import { Toasts } from "./Toasts.js";
import { UserMenu } from "./UserMenu.js";
import { useNotificationFeed } from "./use-notification-feed.js";

const NAV = [
  { to: "/chat", label: "Chat" },
  { to: "/wallet", label: "Wallet" },
  { to: "/trading", label: "Trading" },
];

function Logo() {
  return (
    <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="#ffffff" />
      <path
        d="M7 9a3 3 0 0 1 3-3h12a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3h-8l-5 5v-5a3 3 0 0 1-2-3z"
        fill="#3730a3"
      />
    </svg>
  );
}

/** The signed-in frame: header with navigation, bell and user menu; connection banner; toasts. */
export function Layout() {
  const { user } = useSession();
  const { toasts, dismiss } = useNotificationFeed();
  const nav = user?.role === "admin" ? [...NAV, { to: "/admin", label: "Admin" }] : NAV;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/chat" className="brand" aria-label="Softchat home">
          <Logo />
          <span>Softchat</span>
        </NavLink>
        <nav className="main-nav" aria-label="Main">
          {nav.map((item) => (
            <NavLink key={item.to} to={item.to}>
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="header-actions">
          <NotificationBell />
          <UserMenu />
        </div>
      </header>
      <ConnectionBanner />
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </div>
  );
}
