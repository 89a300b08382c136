import type { TestResponse, TestServer } from "../harness.js";

/** Posts a webhook exactly as a provider would: the raw body bytes, unchanged, with its signature headers. */
export async function postWebhook(
  server: Pick<TestServer, "url">,
  provider: string,
  body: string,
  headers: Record<string, string>,
): Promise<TestResponse> {
  const res = await fetch(`${server.url}/api/payments/webhooks/${provider}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
