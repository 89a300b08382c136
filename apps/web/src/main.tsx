import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { isClientError } from "./api/errors.js";
import { App } from "./app/App.js";
import "./styles/app.css";
import "./styles/layout.css";
import "./styles/components.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live data arrives over the socket; refetching on every focus would only add load.
      refetchOnWindowFocus: false,
      staleTime: 30_000,
      // A 4xx will not change by asking again; a network failure might.
      retry: (count, err) => count < 2 && !isClientError(err),
    },
  },
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </StrictMode>,
  );
}
