import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { AuthForm } from "./AuthForm.js";

const other = { prompt: "New to Softchat?", pathname: "/signup", label: "Create an account" };

/** The markup of an AuthForm with one email input, at `url`. */
function render(props: { error: string | null; busy: boolean }, url = "/signin"): string {
  const form = createElement(
    AuthForm,
    { ...props, onSubmit: () => {}, submitLabel: "Sign in", busyLabel: "Signing in…", other },
    createElement("input", { name: "email" }),
  );
  return renderToStaticMarkup(createElement(MemoryRouter, { initialEntries: [url] }, form));
}

describe("the sign-in and sign-up form", () => {
  it("shows the fields, the submit button and the link to the other screen, and no alert", () => {
    const html = render({ error: null, busy: false });
    expect(html).toMatch(/^<form noValidate=""><input name="email"\/>/);
    expect(html).toContain('<button type="submit" class="button">Sign in</button></form>');
    expect(html).toMatch(/<p>New to Softchat\? <a href="\/signup"[^>]*>Create an account<\/a><\/p>$/);
    expect(html).not.toContain('role="alert"');
  });

  it("announces a form error as an alert above the fields", () => {
    const html = render({ error: "That email and password do not match an account.", busy: false });
    expect(html).toContain(
      '<form noValidate=""><div class="form-error" role="alert">That email and password do not match an account.</div><input',
    );
  });

  it("disables the button and shows the busy label while submitting", () => {
    const html = render({ error: null, busy: true });
    expect(html).toContain('<button type="submit" class="button" disabled="">Signing in…</button>');
  });

  it("keeps the query in the link, so the other screen returns the visitor to where they were going", () => {
    const html = render({ error: null, busy: false }, "/signin?next=%2Fwallet");
    expect(html).toMatch(/<a href="\/signup\?next=%2Fwallet"[^>]*>Create an account<\/a>/);
  });
});
