// IdentityService: the gRPC face of IdentityCore. Each handler converts the
// request (identity_convert.h), makes one core call and converts back;
// UnaryCall authorises, runs it on the right thread and maps the status.
//
// Thread-safe; the core and the CallEnv must outlive it.
#ifndef TESSERA_SERVICES_IDENTITY_IDENTITY_SERVICE_H_
#define TESSERA_SERVICES_IDENTITY_IDENTITY_SERVICE_H_

#include "services/grpc/call.h"
#include "services/identity/identity_core.h"
#include "tessera/v1/identity.grpc.pb.h"

namespace tessera::identity {

class IdentityServiceImpl final
    : public tessera::v1::IdentityService::CallbackService {
 public:
  IdentityServiceImpl(IdentityCore* core, const CallEnv* env)
      : core_(core), env_(env) {}

  grpc::ServerUnaryReactor* CreateUser(grpc::CallbackServerContext* ctx,
                                       const v1::CreateUserRequest* req,
                                       v1::User* resp) override;
  grpc::ServerUnaryReactor* ListUsers(grpc::CallbackServerContext* ctx,
                                      const v1::ListUsersRequest* req,
                                      v1::ListUsersResponse* resp) override;
  grpc::ServerUnaryReactor* SetRoles(grpc::CallbackServerContext* ctx,
                                     const v1::SetRolesRequest* req,
                                     v1::User* resp) override;
  grpc::ServerUnaryReactor* IssueToken(grpc::CallbackServerContext* ctx,
                                       const v1::IssueTokenRequest* req,
                                       v1::IssueTokenResponse* resp) override;
  grpc::ServerUnaryReactor* ListTokens(grpc::CallbackServerContext* ctx,
                                       const v1::ListTokensRequest* req,
                                       v1::ListTokensResponse* resp) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* ctx,
                                        const v1::RevokeTokenRequest* req,
                                        v1::Token* resp) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* ctx,
                                   const v1::WhoAmIRequest* req,
                                   v1::WhoAmIResponse* resp) override;

 private:
  IdentityCore* core_;
  const CallEnv* env_;
};

}  // namespace tessera::identity

#endif  // TESSERA_SERVICES_IDENTITY_IDENTITY_SERVICE_H_
