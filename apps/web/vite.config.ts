import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { appIcons } from "./build/icons.js";

/** Paths that always go to the server: never answered from the service worker's cache. */
const SERVER_PATHS = /^\/(api|socket\.io|docs|health|ready|metrics)(\/|$)/;

// The dev server proxies the API and sockets to a Softchat server (default http://localhost:3000).
const devTarget = process.env.SOFTCHAT_SERVER_URL ?? "http://localhost:3000";

export default defineConfig({
  plugins: [
    react(),
    appIcons(),
    VitePWA({
      // `autoUpdate` installs a new shell as soon as it is deployed; the registration script is a file,
      // not an inline script, so the build works under `script-src 'self'`.
      registerType: "autoUpdate",
      injectRegister: "script-defer",
      manifest: {
        name: "Softchat",
        short_name: "Softchat",
        description: "Chat, notifications, wallet and trading, live.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        background_color: "#ffffff",
        theme_color: "#3730a3",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        // The app shell (HTML, JS, CSS, icons) is precached so the app opens offline.
        globPatterns: ["**/*.{js,css,html,png,svg,webmanifest}"],
        navigateFallback: "/index.html",
        navigateFallbackDenylist: [SERVER_PATHS],
        cleanupOutdatedCaches: true,
        // A new version takes over at once (a stale shell could talk to a newer API); a screen whose old
        // chunk is gone offers a reload (ScreenBoundary).
        skipWaiting: true,
        clientsClaim: true,
        // Money screens must never show stale data: API and socket traffic always goes to the network.
        runtimeCaching: [
          {
            urlPattern: ({ url }) =>
              url.pathname.startsWith("/api/") || url.pathname.startsWith("/socket.io/"),
            handler: "NetworkOnly",
          },
        ],
      },
    }),
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The manifest lets the bundle-budget test follow exactly which chunks index.html loads eagerly.
    manifest: true,
    target: "es2022",
    sourcemap: false,
  },
  server: {
    proxy: {
      "/api": devTarget,
      "/socket.io": { target: devTarget, ws: true },
    },
  },
});
