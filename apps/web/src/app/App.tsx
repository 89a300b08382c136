import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { describeError } from "../api/errors.js";
import { useSession } from "./hooks.js";
import { Layout } from "./Layout.js";
import { ScreenBoundary } from "./ScreenBoundary.js";
import { sessionStore } from "./session-store.js";

// Every screen is its own chunk: the first page downloads only the shell and the screen it shows.
const SignInScreen = lazy(() => import("../screens/auth/SignInScreen.js"));
const SignUpScreen = lazy(() => import("../screens/auth/SignUpScreen.js"));
const ChatScreen = lazy(() => import("../screens/chat/ChatScreen.js"));
const WalletScreen = lazy(() => import("../screens/wallet/WalletScreen.js"));
const NotificationsScreen = lazy(() => import("../screens/notifications/NotificationsScreen.js"));
const TradingScreen = lazy(() => import("../screens/trading/TradingScreen.js"));
const AdminScreen = lazy(() => import("../screens/admin/AdminScreen.js"));

function Loading() {
  return (
    <div className="spinner-page" role="status">
      Loading…
    </div>
  );
}

/** Signed-out visitors go to sign-in, and come back to where they were heading afterwards. */
function RequireSignIn({ children }: { children: React.ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === "restoring") return <Loading />;
  if (status === "signed-out") {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

/** Sign-in and sign-up are for signed-out visitors; a signed-in one continues into the app. */
function SignedOutOnly({ children }: { children: React.ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === "restoring") return <Loading />;
  if (status === "signed-in") {
    const next = new URLSearchParams(location.search).get("next");
    // Only same-app paths: an open redirect to another site would help phishing.
    const target = next?.startsWith("/") && !next.startsWith("//") ? next : "/chat";
    return <Navigate to={target} replace />;
  }
  return <>{children}</>;
}

function RequireAdmin({ children }: { children: React.ReactNode }) {
  const { user } = useSession();
  if (user?.role !== "admin") return <Navigate to="/chat" replace />;
  return <>{children}</>;
}

/** The app: restores the tab's session, keeps the socket in step with it, routes to lazy screens. */
export function App() {
  const { status } = useSession();
  const queryClient = useQueryClient();
  const [restoreError, setRestoreError] = useState<string | null>(null);

  useEffect(() => {
    if (status === "signed-out") queryClient.clear();
  }, [status, queryClient]);
  useEffect(() => {
    if (status !== "restoring") return;
    sessionStore.restore().then(
      () => setRestoreError(null),
      (err) => setRestoreError(describeError(err)),
    );
  }, [status]);

  if (status === "restoring" && restoreError) {
    return (
      <div className="spinner-page">
        <div role="alert" className="card">
          <p>{restoreError}</p>
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Try again
          </button>
        </div>
      </div>
    );
  }

  return (
    <ScreenBoundary>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route
            path="/signin"
            element={
              <SignedOutOnly>
                <SignInScreen />
              </SignedOutOnly>
            }
          />
          <Route
            path="/signup"
            element={
              <SignedOutOnly>
                <SignUpScreen />
              </SignedOutOnly>
            }
          />
          <Route
            element={
              <RequireSignIn>
                <Layout />
              </RequireSignIn>
            }
          >
            <Route index element={<Navigate to="/chat" replace />} />
            <Route path="/chat" element={<ChatScreen />} />
            <Route path="/chat/:roomId" element={<ChatScreen />} />
            <Route path="/wallet" element={<WalletScreen />} />
            <Route path="/notifications" element={<NotificationsScreen />} />
            <Route path="/trading" element={<TradingScreen />} />
            <Route
              path="/admin"
              element={
                <RequireAdmin>
                  <AdminScreen />
                </RequireAdmin>
              }
            />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </Suspense>
    </ScreenBoundary>
  );
}

function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
    </div>
  );
}
