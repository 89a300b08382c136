import type { AppContext } from "../platform/context.js";
import type { App } from "../platform/http/app-type.js";

/** A domain module: registers its routes (and socket handlers, outbox handlers, jobs) at start. */
export interface SoftchatModule {
  name: string;
  register(app: App, ctx: AppContext): Promise<void> | void;
}

/** Every module, in registration order. A module may call the services of those registered before it. */
export const modules: SoftchatModule[] = [];
