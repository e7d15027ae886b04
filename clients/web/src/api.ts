// Connect clients for the gateway on the page's own origin. The session
// token lives in an HttpOnly cookie set by POST /auth/session; the page
// never sees it.
import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { IdentityService } from "./gen/tessera/v1/identity_pb";
import { TranslationService } from "./gen/tessera/v1/translation_pb";
import { AssignmentService } from "./gen/tessera/v1/assignment_pb";
import { StatementService } from "./gen/tessera/v1/statement_pb";
import { MemoryService } from "./gen/tessera/v1/memory_pb";

const transport = createConnectTransport({
  baseUrl: location.origin,
  useBinaryFormat: false,
  fetch: (input, init) => fetch(input, { ...init, credentials: "include" }),
});

export const identity = createClient(IdentityService, transport);
export const translation = createClient(TranslationService, transport);
export const assignment = createClient(AssignmentService, transport);
export const statement = createClient(StatementService, transport);
export const memory = createClient(MemoryService, transport);

async function session(method: "POST" | "DELETE", body?: unknown): Promise<Response> {
  return fetch("/auth/session", {
    method,
    credentials: "include",
    headers: { "Content-Type": "application/json", "Connect-Protocol-Version": "1" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

// Signs in with a token; throws a ConnectError with the server's code.
export async function signIn(token: string): Promise<void> {
  const r = await session("POST", { token });
  if (!r.ok) {
    let message = r.statusText;
    let code = Code.Unknown;
    try {
      const j = await r.json();
      message = j.message ?? message;
      code = r.status === 401 ? Code.Unauthenticated : r.status === 400 ? Code.InvalidArgument : code;
    } catch { /* not JSON */ }
    throw new ConnectError(message, code);
  }
}

export async function signOut(): Promise<void> {
  await session("DELETE");
}

export { ConnectError, Code };
