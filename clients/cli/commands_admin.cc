// login, whoami, user *, token *.
#include "clients/cli/commands.h"
#include "clients/cli/errors.h"
#include "clients/cli/render.h"

namespace tessera::cli {
namespace v1 = ::tessera::v1;
namespace {

std::string Roles(const v1::User& user) {
  std::string out;
  for (const auto& g : user.roles()) {
    if (!out.empty()) out += " ";
    out += FormatRoleGrant(g);
  }
  return out.empty() ? "-" : out;
}

int Login(Invocation& inv) {
  if (!inv.args().Has("server") || !inv.args().Has("token")) {
    return inv.Fail("login needs --server and --token", kExitUsage);
  }
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::WhoAmIResponse me;
  grpc::Status s = c->identity().WhoAmI(c->Context().get(), {}, &me);
  if (!s.ok()) return inv.Fail(s);
  std::map<std::string, std::string> values = {{"server", c->settings().server},
                                               {"token", c->settings().token}};
  if (c->tls()) values["tls"] = "true";
  if (!c->settings().ca_file.empty()) values["ca_file"] = c->settings().ca_file;
  std::string path = ConfigPath(inv.io().env);
  absl::Status w = WriteConfig(path, values);
  if (!w.ok()) return inv.Fail(std::string(w.message()), kExitError);
  inv.out() << "logged in to " << c->settings().server << " as "
            << me.user().user_id() << " (" << Roles(me.user()) << ")"
            << (c->tls() ? " over TLS" : " over plaintext") << "; wrote "
            << path << "\n";
  return kExitOk;
}

int WhoAmI(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::WhoAmIResponse me;
  grpc::Status s = c->identity().WhoAmI(c->Context().get(), {}, &me);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(me) << "\n";
  } else {
    inv.out() << me.user().user_id() << "  " << Roles(me.user()) << "  "
              << me.token() << "\n";
  }
  return kExitOk;
}

int UserCreate(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::CreateUserRequest req;
  req.set_user_id(inv.args().positional()[0]);
  req.set_display_name(inv.args().Get("name"));
  for (const std::string& r : inv.args().GetAll("role")) {
    absl::StatusOr<v1::RoleGrant> g = ParseRoleGrant(r);
    if (!g.ok()) return inv.Fail(std::string(g.status().message()), kExitUsage);
    *req.add_roles() = *g;
  }
  v1::User user;
  grpc::Status s = c->identity().CreateUser(c->Context().get(), req, &user);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(user) << "\n";
  } else {
    inv.out() << "created " << user.name() << " (" << Roles(user) << ")\n";
  }
  return kExitOk;
}

// All users, every page.
grpc::Status ListAllUsers(Client& c, std::vector<v1::User>& users) {
  v1::ListUsersRequest req;
  req.set_page_size(1000);
  while (true) {
    v1::ListUsersResponse resp;
    grpc::Status s = c.identity().ListUsers(c.Context().get(), req, &resp);
    if (!s.ok()) return s;
    for (auto& u : *resp.mutable_users()) users.push_back(std::move(u));
    if (resp.next_page_token().empty()) return grpc::Status::OK;
    req.set_page_token(resp.next_page_token());
  }
}

int UserList(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  std::vector<v1::User> users;
  grpc::Status s = ListAllUsers(*c, users);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    for (const auto& u : users) inv.out() << ToJson(u) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"USER", "NAME", "ROLES"}};
  for (const auto& u : users) {
    rows.push_back({u.user_id(),
                    u.display_name().empty() ? "-" : u.display_name(),
                    Roles(u)});
  }
  inv.out() << FormatTable(rows);
  return kExitOk;
}

int UserRoles(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  const std::string id = inv.args().positional()[0];
  std::vector<v1::User> users;
  grpc::Status s = ListAllUsers(*c, users);
  if (!s.ok()) return inv.Fail(s);
  const v1::User* found = nullptr;
  for (const auto& u : users) {
    if (u.user_id() == id) found = &u;
  }
  if (found == nullptr) return inv.Fail("no user " + id, kExitNotFound);
  v1::User user = *found;
  if (inv.args().Has("set") || inv.args().Has("clear")) {
    v1::SetRolesRequest req;
    req.set_user(user.name());
    req.set_version(user.version());
    for (const std::string& r : inv.args().GetAll("set")) {
      absl::StatusOr<v1::RoleGrant> g = ParseRoleGrant(r);
      if (!g.ok()) {
        return inv.Fail(std::string(g.status().message()), kExitUsage);
      }
      *req.add_roles() = *g;
    }
    s = c->identity().SetRoles(c->Context().get(), req, &user);
    if (!s.ok()) return inv.Fail(s);
  }
  if (inv.json()) {
    inv.out() << ToJson(user) << "\n";
  } else {
    inv.out() << user.user_id() << "  " << Roles(user) << "\n";
  }
  return kExitOk;
}

std::string UserName(const std::string& id) {
  return id.rfind("users/", 0) == 0 ? id : "users/" + id;
}

int TokenIssue(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::IssueTokenRequest req;
  req.set_user(UserName(inv.args().positional()[0]));
  req.set_description(inv.args().Get("description"));
  v1::IssueTokenResponse resp;
  grpc::Status s = c->identity().IssueToken(c->Context().get(), req, &resp);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(resp) << "\n";
  } else {
    // The secret alone on stdout, so that TOKEN=$(tessera token issue x).
    inv.out() << resp.secret() << "\n";
    inv.err() << "issued " << resp.token().name() << " for "
              << resp.token().user()
              << "; the secret above is shown once only\n";
  }
  return kExitOk;
}

int TokenList(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::ListTokensRequest req;
  req.set_user(UserName(inv.args().positional()[0]));
  v1::ListTokensResponse resp;
  grpc::Status s = c->identity().ListTokens(c->Context().get(), req, &resp);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    for (const auto& t : resp.tokens()) inv.out() << ToJson(t) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"TOKEN", "CREATED", "REVOKED", "DESCRIPTION"}};
  for (const auto& t : resp.tokens()) {
    rows.push_back({LastComponent(t.name()), FormatTime(t.create_time()),
                    FormatTime(t.revoke_time()), t.description()});
  }
  inv.out() << FormatTable(rows);
  return kExitOk;
}

int TokenRevoke(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  std::string name = inv.args().positional()[0];
  if (name.rfind("tokens/", 0) != 0) name = "tokens/" + name;
  v1::RevokeTokenRequest req;
  req.set_name(name);
  v1::Token token;
  grpc::Status s = c->identity().RevokeToken(c->Context().get(), req, &token);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(token) << "\n";
  } else {
    inv.out() << "revoked " << token.name() << " of " << token.user() << "\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> AdminCommands() {
  const FlagSpec role_flag{"role", 0, "ROLE[=LANGS]",
                           "grant a role: admin, coordinator, translator, "
                           "reviewer, service; languages comma-separated",
                           true};
  return {
      {{{"login"},
        "",
        "check a server and token and remember them",
        "Calls WhoAmI with the given --server and --token, then writes them\n"
        "to $XDG_CONFIG_HOME/tessera/config (default "
        "~/.config/tessera/config),\n"
        "created with mode 0600. Later commands use it when no flag or\n"
        "environment variable says otherwise.",
        "  tessera login --server tessera.example.org:443 --token tsr_...",
        {},
        0,
        0},
       Login},
      {{{"whoami"},
        "",
        "show the user the token belongs to",
        "",
        "  tessera whoami",
        {},
        0,
        0},
       WhoAmI},
      {{{"user", "create"},
        "USER_ID",
        "create a user (admin)",
        "Roles are given as ROLE or ROLE=LANG,LANG; a role without languages\n"
        "covers every language.",
        "  tessera user create alice --name 'Alice M.' --role translator=de,en",
        {{"name", 0, "TEXT", "display name"}, role_flag},
        1,
        1},
       UserCreate},
      {{{"user", "list"},
        "",
        "list users (admin)",
        "",
        "  tessera user list --json",
        {},
        0,
        0},
       UserList},
      {{{"user", "roles"},
        "USER_ID",
        "show or replace a user's roles (admin)",
        "Without --set or --clear, shows the roles. With --set, the given\n"
        "grants replace all of the user's roles.",
        "  tessera user roles alice --set translator=de,en --set reviewer=fr",
        {{"set", 0, "ROLE[=LANGS]", "new grant", true},
         {"clear", 0, "", "remove every role"}},
        1,
        1},
       UserRoles},
      {{{"token", "issue"},
        "USER_ID",
        "issue a bearer token",
        "Prints the secret alone on stdout (shown once); admins may issue\n"
        "for anyone, others only for themselves.",
        "  TOKEN=$(tessera token issue alice --description 'laptop CLI')",
        {{"description", 0, "TEXT", "what the token is for"}},
        1,
        1},
       TokenIssue},
      {{{"token", "list"},
        "USER_ID",
        "list a user's tokens (never secrets)",
        "",
        "  tessera token list alice",
        {},
        1,
        1},
       TokenList},
      {{{"token", "revoke"},
        "TOKEN_ID",
        "revoke a token at once",
        "",
        "  tessera token revoke 3f9a2c",
        {},
        1,
        1},
       TokenRevoke},
  };
}

}  // namespace tessera::cli
