#include "server/tesserad.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "gateway/gateway.h"
#include "google/protobuf/descriptor.h"
#include "server/allocator.h"
#include "server/fd_listener.h"
#include "server/h2_guard.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_service.h"
#include "services/grpc/call.h"
#include "services/common/policy.h"
#include "services/identity/grants_reader_for_assignment.h"
#include "services/identity/identity_core.h"
#include "services/identity/identity_service.h"
#include "services/publication/publication_core.h"
#include "services/publication/publication_service.h"
#include "services/memory/glossary/glossary_checker_for_translation.h"
#include "services/memory/glossary/glossary_core.h"
#include "services/memory/glossary/glossary_service.h"
#include "services/memory/machine/apertium_translator.h"
#include "services/memory/machine/http_translator.h"
#include "services/memory/memory_core.h"
#include "services/memory/memory_feed.h"
#include "services/memory/memory_service.h"
#include "services/statement/statement_core.h"
#include "services/statement/statement_reader_for_assignment.h"
#include "services/statement/statement_reader_for_memory.h"
#include "services/statement/statement_reader_for_publication.h"
#include "services/statement/statement_reader_for_translation.h"
#include "services/statement/statement_service.h"
#include "services/translation/translation_core.h"
#include "services/translation/translation_reader_for_assignment.h"
#include "services/translation/translation_reader_for_memory.h"
#include "services/translation/translation_reader_for_publication.h"
#include "services/translation/translation_service.h"
#include "storage/store.h"

namespace tessera {
namespace {

constexpr uint64_t kAutoMaxConnections = 4096;

absl::Status ValidateOptions(const ServerOptions& o) {
  if (o.data_dir.empty()) {
    return absl::InvalidArgumentError("--data_dir is required");
  }
  if (o.max_message_bytes < 4096 || o.max_message_bytes > (size_t{1} << 30)) {
    return absl::InvalidArgumentError(
        "--max_message_bytes must be between 4096 and 1073741824");
  }
  if (o.max_document_bytes < 1) {
    return absl::InvalidArgumentError("--max_document_bytes must be >= 1");
  }
  if (o.max_segments_per_statement < 1) {
    return absl::InvalidArgumentError(
        "--max_segments_per_statement must be >= 1");
  }
  if (o.max_segment_bytes < 1) {
    return absl::InvalidArgumentError("--max_segment_bytes must be >= 1");
  }
  if (o.max_concurrent_streams < 1) {
    return absl::InvalidArgumentError("--max_concurrent_streams must be >= 1");
  }
  if (o.h2_reset_burst < 1 || !(o.h2_resets_per_second > 0)) {
    return absl::InvalidArgumentError(
        "--h2_reset_burst must be >= 1 and --h2_resets_per_second > 0");
  }
  if (o.max_connections < 0) {
    return absl::InvalidArgumentError(
        "--max_connections must be >= 0 (0: automatic)");
  }
  if (o.max_connection_idle <= absl::ZeroDuration() ||
      o.max_connection_age <= absl::ZeroDuration() ||
      o.max_connection_age_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_connection_idle and --max_connection_age must be positive");
  }
  if (o.grpc_memory_bytes < (size_t{16} << 20)) {
    return absl::InvalidArgumentError(
        "--grpc_memory_bytes must be at least 16777216");
  }
  if (o.call_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--call_timeout must be positive");
  }
  if (o.worker_threads < 1 || o.worker_threads > 1024) {
    return absl::InvalidArgumentError(
        "--worker_threads must be between 1 and 1024");
  }
  if (o.read_threads < 1 || o.read_threads > 1024) {
    return absl::InvalidArgumentError(
        "--read_threads must be between 1 and 1024");
  }
  if (o.read_queue < 1 || o.read_queue > 1000000) {
    return absl::InvalidArgumentError(
        "--read_queue must be between 1 and 1000000");
  }
  if (o.lease_ttl < absl::Seconds(1) || o.lease_ttl > absl::Hours(24 * 7)) {
    return absl::InvalidArgumentError(
        "--lease_ttl must be between 1s and 168h");
  }
  if (o.machine_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--machine_timeout must be positive");
  }
  if (o.parse_children < 1) {
    return absl::InvalidArgumentError("--parse_children must be >= 1");
  }
  if (o.parse_cpu_budget <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--parse_cpu_budget must be positive");
  }
  if (o.parse_memory_bytes < (size_t{64} << 20)) {
    return absl::InvalidArgumentError(
        "--parse_memory_bytes must be at least 67108864");
  }
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  return absl::OkStatus();
}

// True for 127.0.0.0/8, ::1 and localhost.
bool IsLoopback(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host == "localhost" || host == "[::1]") return true;
  return host.rfind("127.", 0) == 0;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& o) {
  if (o.tls_cert_file.empty()) {
    if (!IsLoopback(o.listen) && !o.allow_insecure_remote) {
      return absl::InvalidArgumentError(StrCat(
          "refusing to serve plaintext on non-loopback address ", o.listen,
          ": pass --tls_cert_file and --tls_key_file (or "
          "--allow_insecure_remote behind a TLS-terminating proxy)"));
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.private_key, ReadFile(o.tls_key_file));
  ASSIGN_OR_RETURN(pair.cert_chain, ReadFile(o.tls_cert_file));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(ssl);
}

int Millis(absl::Duration d) {
  return static_cast<int>(
      std::min<int64_t>(absl::ToInt64Milliseconds(d), INT32_MAX));
}

// The connection cap. Automatic (0): 4096, lowered so that a quarter of
// the descriptor limit (at least 64) stays free for the store, logs and
// gRPC's own pipes. An explicit cap is kept, with a warning if it leaves
// less; the listener then relies on its EMFILE recovery.
int EffectiveMaxConnections(int wanted, int fds_per_connection) {
  uint64_t limit = OpenFileLimit() / fds_per_connection;
  uint64_t headroom = std::max<uint64_t>(64, limit / 4);
  uint64_t room = limit > headroom * 2 ? limit - headroom : limit / 2;
  room = std::max<uint64_t>(1, room);
  if (wanted == 0) {
    return static_cast<int>(std::min<uint64_t>(kAutoMaxConnections, room));
  }
  if (static_cast<uint64_t>(wanted) > room) {
    Log(LogLevel::kWarning, "listener",
        StrCat("--max_connections=", wanted, " leaves little of the "
               "open-file limit of ", limit, " to the store; ", room,
               " would leave a quarter"));
  }
  return wanted;
}

// The machine-translation engines, in order; null when there are none. A
// LibreTranslate service that does not answer at start is left out with a
// warning rather than keeping the server down.
std::unique_ptr<memory::machine::MachineTranslator> MachineTranslators(
    const ServerOptions& o) {
  std::vector<std::shared_ptr<memory::machine::MachineTranslator>> engines;
  if (o.apertium) {
    std::shared_ptr<memory::machine::MachineTranslator> apertium =
        memory::machine::ApertiumTranslator::Create({});
    if (!apertium->Pairs().empty()) engines.push_back(std::move(apertium));
  }
  if (!o.libretranslate_url.empty()) {
    memory::machine::HttpTranslatorOptions http;
    http.url = o.libretranslate_url;
    http.api_key = o.libretranslate_api_key;
    auto service = memory::machine::HttpTranslator::Create(
        http, absl::Now() + absl::Seconds(10));
    if (service.ok()) {
      engines.push_back(std::move(service).value());
    } else {
      Log(LogLevel::kWarning, "memory",
          StrCat("no machine suggestions from --libretranslate_url=",
                 o.libretranslate_url, ": ", service.status().message()));
    }
  }
  if (engines.empty()) return nullptr;
  return std::make_unique<memory::machine::CompositeTranslator>(
      std::move(engines));
}

// The parse helper to run, checked once at start so that a missing helper
// fails the start rather than every import.
absl::StatusOr<std::string> ParseHelperPath(const ServerOptions& o) {
  std::string path = o.parse_helper;
  if (path.empty()) {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
      return absl::InvalidArgumentError(
          "cannot locate tessera-parse: pass --parse_helper");
    }
    path = (self.parent_path() / "tessera-parse").string();
  }
  if (access(path.c_str(), X_OK) != 0) {
    return absl::InvalidArgumentError(
        StrCat("the document parser ", path,
               " is missing or not executable: install tessera-parse next "
               "to tesserad, pass --parse_helper, or --isolate_parsing=false"));
  }
  return path;
}

absl::StatusOr<std::unique_ptr<storage::Store>> OpenStore(
    const ServerOptions& o) {
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  if (ec) {
    return absl::InvalidArgumentError(StrCat("cannot create data directory ",
                                             o.data_dir, ": ", ec.message()));
  }
  storage::StoreOptions so;
  so.path = o.data_dir;
  so.clock = o.clock;
  so.block_cache_bytes = o.block_cache_bytes;
  so.env = o.env;
  return storage::Store::Open(so);
}

// Every method of every service we register must have an entry in the
// method table, or nobody could call it (and the role-matrix test could
// not cover it).
absl::Status CheckPolicyCoverage(const std::vector<std::string>& services) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& service_name : services) {
    const auto* svc = pool->FindServiceByName(service_name);
    if (svc == nullptr)
      return absl::InternalError("service descriptor missing");
    for (int i = 0; i < svc->method_count(); ++i) {
      std::string name =
          StrCat("/", svc->full_name(), "/", svc->method(i)->name());
      if (FindMethodPolicy(name) == nullptr) {
        return absl::InternalError(
            StrCat("method ", name, " has no authorisation policy"));
      }
    }
  }
  return absl::OkStatus();
}

class TesseradImpl final : public Tesserad {
 public:
  explicit TesseradImpl(const ServerOptions& options) : options_(options) {}

  ~TesseradImpl() override { Shutdown(); }

  absl::Status Init() {
    RETURN_IF_ERROR(ValidateOptions(options_));
    ASSIGN_OR_RETURN(auto creds, Credentials(options_));
    ASSIGN_OR_RETURN(store_, OpenStore(options_));

    identity_ = std::make_unique<identity::IdentityCore>(
        store_.get(), options_.clock, options_.random);
    ASSIGN_OR_RETURN(bool has_users, identity_->HasUsers());
    if (!has_users) {
      ASSIGN_OR_RETURN(auto issued, identity_->IssueBootstrapAdminToken(
                                        "made on first start"));
      first_start_admin_token_ = issued.secret;
    }

    authorizer_ = std::make_unique<Authorizer>(identity_.get());
    workers_ = std::make_unique<WorkerPool>(options_.worker_threads);
    readers_ = std::make_unique<WorkerPool>(
        options_.read_threads, static_cast<size_t>(options_.read_queue));
    env_.authorizer = authorizer_.get();
    env_.workers = workers_.get();
    env_.readers = readers_.get();
    env_.clock = options_.clock;
    env_.call_timeout = options_.call_timeout;

    identity_service_ =
        std::make_unique<identity::IdentityServiceImpl>(identity_.get(), &env_);
    statement::ImportLimits limits;
    limits.max_document_bytes = options_.max_document_bytes;
    limits.max_segments = options_.max_segments_per_statement;
    limits.max_segment_bytes = options_.max_segment_bytes;
    if (options_.isolate_parsing) {
      ASSIGN_OR_RETURN(limits.parse.helper, ParseHelperPath(options_));
    }
    limits.parse.cpu = options_.parse_cpu_budget;
    limits.parse.memory_bytes = options_.parse_memory_bytes;
    limits.parse.prechecks = options_.parse_prechecks;
    limits.parse.max_children = options_.parse_children;
    limits.parse.after_large_parse = &ReleaseFreedMemory;
    statements_ = std::make_unique<statement::StatementCore>(
        store_.get(), options_.clock, options_.random, limits);
    statement_service_ = std::make_unique<statement::StatementServiceImpl>(
        statements_.get(), &env_);
    statement_reader_for_translation_ =
        std::make_unique<statement::StatementReaderForTranslation>(
            statements_.get());
    translations_ = std::make_unique<translation::TranslationCore>(
        store_.get(), statement_reader_for_translation_.get(), options_.clock);
    glossary_ = std::make_unique<memory::glossary::GlossaryCore>(
        store_.get(), options_.clock, options_.random);
    glossary_checker_ =
        std::make_unique<memory::glossary::GlossaryCheckerForTranslation>(
            glossary_.get());
    translations_->SetGlossaryChecker(glossary_checker_.get());
    translation_service_ =
        std::make_unique<translation::TranslationServiceImpl>(
            translations_.get(), &env_);
    assignment::AssignmentOptions assignment_options;
    assignment_options.lease_ttl = options_.lease_ttl;
    statements_for_assignment_ =
        std::make_unique<statement::StatementReaderForAssignment>(
            statements_.get());
    translations_for_assignment_ =
        std::make_unique<translation::TranslationReaderForAssignment>(
            store_.get(), translations_.get());
    grants_for_assignment_ =
        std::make_unique<identity::GrantsReaderForAssignment>(identity_.get());
    assignments_ = std::make_unique<assignment::AssignmentCore>(
        store_.get(), statements_for_assignment_.get(),
        translations_for_assignment_.get(), translations_for_assignment_.get(),
        grants_for_assignment_.get(), options_.clock, options_.random,
        assignment_options);
    assignment_service_ = std::make_unique<assignment::AssignmentServiceImpl>(
        assignments_.get(), &env_);
    publication_statements_ =
        std::make_unique<statement::StatementReaderForPublication>(
            statements_.get());
    publication_translations_ =
        std::make_unique<translation::TranslationReaderForPublication>(
            translations_.get());
    publications_ = std::make_unique<publication::PublicationCore>(
        store_.get(), store_.get(), publication_statements_.get(),
        publication_translations_.get(), options_.clock);
    publication_service_ =
        std::make_unique<publication::PublicationServiceImpl>(
            publications_.get(), &env_);
    memory_ = std::make_unique<memory::MemoryCore>(store_.get());
    memory_statements_ =
        std::make_unique<statement::StatementReaderForMemory>(statements_.get());
    memory_translations_ =
        std::make_unique<translation::TranslationReaderForMemory>(
            translations_.get());
    memory_feed_ = std::make_unique<memory::MemoryFeed>(
        store_.get(), store_.get(), memory_.get(), memory_statements_.get(),
        memory_translations_.get());
    glossary_edge_ =
        std::make_unique<memory::glossary::GlossaryEdge>(glossary_.get());
    machine_ = MachineTranslators(options_);
    memory_service_ = std::make_unique<memory::MemoryServiceImpl>(
        memory_.get(), memory_statements_.get(), glossary_edge_.get(),
        machine_.get(), options_.machine_timeout, &env_);
    service_names_ = {v1::IdentityService::service_full_name(),
                      v1::StatementService::service_full_name(),
                      v1::TranslationService::service_full_name(),
                      v1::AssignmentService::service_full_name(),
                      v1::PublicationService::service_full_name(),
                      v1::MemoryService::service_full_name()};
    RETURN_IF_ERROR(CheckPolicyCoverage(service_names_));

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    if (options_.tls_cert_file.empty()) {
      // Plaintext: our own accept loop, which survives running out of
      // descriptors (gRPC 1.51's does not) and caps connections.
      ASSIGN_OR_RETURN(listener_, FdListener::Bind(options_.listen));
      port_ = listener_->port();
      bool guarded = options_.h2_guard == ServerOptions::H2Guard::kOn ||
                     (options_.h2_guard == ServerOptions::H2Guard::kAuto &&
                      !listener_->loopback());
      if (guarded) {
        ASSIGN_OR_RETURN(guard_, H2Guard::Start(H2GuardLimits{
                                     options_.h2_reset_burst,
                                     options_.h2_resets_per_second}));
      }
      // A guarded connection holds three descriptors: the client's and
      // both ends of the relay.
      max_connections_ = EffectiveMaxConnections(options_.max_connections,
                                                 guard_ != nullptr ? 3 : 1);
    } else {
      // Core gRPC 1.51 cannot put TLS on a channel made from a descriptor,
      // so TLS stays on gRPC's listener; see README, "Operations".
      builder.AddListeningPort(options_.listen, creds, &port_);
    }
    grpc::ResourceQuota quota("tesserad");
    quota.Resize(options_.grpc_memory_bytes);
    builder.SetResourceQuota(quota);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                               Millis(options_.max_connection_idle));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               Millis(options_.max_connection_age));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               Millis(options_.max_connection_age_grace));
    builder.SetMaxReceiveMessageSize(
        static_cast<int>(options_.max_message_bytes));
    builder.SetMaxSendMessageSize(static_cast<int>(options_.max_message_bytes));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                               options_.max_concurrent_streams);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                               Millis(options_.keepalive_time));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                               Millis(options_.keepalive_timeout));
    builder.AddChannelArgument(
        GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
        Millis(options_.min_client_ping_interval));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
    // Reflection runs on the sync API; a short poll timeout lets its
    // threads notice shutdown promptly.
    builder.SetSyncServerOption(
        grpc::ServerBuilder::SyncServerOption::CQ_TIMEOUT_MSEC, 100);
    builder.RegisterService(identity_service_.get());
    builder.RegisterService(statement_service_.get());
    builder.RegisterService(translation_service_.get());
    builder.RegisterService(assignment_service_.get());
    builder.RegisterService(publication_service_.get());
    builder.RegisterService(memory_service_.get());
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || port_ == 0) {
      return absl::UnavailableError(
          StrCat("cannot listen on ", options_.listen));
    }
    if (listener_ != nullptr) {
      listener_->Start(server_.get(), max_connections_, guard_.get());
    }
    // Carries translations over to new source revisions in the background.
    translations_->Start();
    // Marks expired leases and raises overdue events in the background.
    assignments_->Start();
    // Publishes each language as its last segment is approved.
    publications_->Start();
    memory_feed_->Start();
    if (!options_.http_listen.empty()) {
      // The gateway calls through the in-process channel, so every HTTP
      // call meets the same authorisation and limits as a gRPC one.
      grpc::ChannelArguments args;
      args.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
      args.SetMaxSendMessageSize(static_cast<int>(options_.max_message_bytes));
      gateway::GatewayOptions g;
      g.listen = options_.http_listen;
      g.web_root = options_.web_root;
      g.services = service_names_;
      g.max_body_bytes = options_.http_max_body_bytes;
      g.max_connections = options_.http_max_connections;
      g.idle_timeout = options_.http_idle_timeout;
      g.threads = options_.http_threads;
      ASSIGN_OR_RETURN(gateway_,
                       gateway::Gateway::Start(g, server_->InProcessChannel(args)));
    }
    server_->GetHealthCheckService()->SetServingStatus(true);
    return absl::OkStatus();
  }

  int port() const override { return port_; }
  int http_port() const override {
    return gateway_ != nullptr ? gateway_->port() : 0;
  }
  int max_connections() const override { return max_connections_; }

  std::string address() const override {
    std::string host = options_.listen.substr(0, options_.listen.rfind(':'));
    return StrCat(host, ":", port_);
  }

  std::vector<std::string> ServiceNames() const override {
    return service_names_;
  }

  const std::string& first_start_admin_token() const override {
    return first_start_admin_token_;
  }

  void Shutdown() override {
    {
      absl::MutexLock lock(&mu_);
      if (shutdown_started_) {
        mu_.Await(absl::Condition(&shutdown_done_));
        return;
      }
      shutdown_started_ = true;
    }
    if (server_ != nullptr) {
      server_->GetHealthCheckService()->SetServingStatus(false);
      absl::SleepFor(options_.shutdown_grace);
      // Streams end with UNAVAILABLE before the drain, so watchers learn
      // at once that they should reconnect elsewhere or later. The feed is
      // woken first so that the watch thread stops at once.
      if (store_ != nullptr) store_->WakeFeedWaiters();
      if (publication_service_ != nullptr) {
        publication_service_->BeginShutdown();
      }
      if (listener_ != nullptr) listener_->Stop();
      server_->Shutdown(
          absl::ToChronoTime(absl::Now() + options_.drain_timeout));
      server_->Wait();
    }
    // Its calls have ended with the server; now close its connections.
    if (gateway_ != nullptr) gateway_->Stop();
    // gRPC has closed its ends of the relays; close the clients'.
    guard_.reset();
    // Handlers are done; let queued work finish, then close the store.
    readers_.reset();
    workers_.reset();
    if (assignments_ != nullptr) assignments_->Stop();
    if (publications_ != nullptr) publications_->Stop();
    if (memory_feed_ != nullptr) memory_feed_->Stop();
    if (translations_ != nullptr) translations_->Stop();
    assignment_service_.reset();
    assignments_.reset();
    grants_for_assignment_.reset();
    translations_for_assignment_.reset();
    statements_for_assignment_.reset();
    memory_service_.reset();
    memory_feed_.reset();
    memory_translations_.reset();
    memory_statements_.reset();
    memory_.reset();
    publication_service_.reset();
    publications_.reset();
    publication_translations_.reset();
    publication_statements_.reset();
    translation_service_.reset();
    translations_.reset();
    glossary_edge_.reset();
    machine_.reset();
    glossary_checker_.reset();
    glossary_.reset();
    statement_service_.reset();
    identity_service_.reset();
    statements_.reset();
    authorizer_.reset();
    identity_.reset();
    store_.reset();
    absl::MutexLock lock(&mu_);
    shutdown_done_ = true;
  }

  void Wait() override {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&shutdown_done_));
  }

 private:
  const ServerOptions options_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<identity::IdentityCore> identity_;
  std::unique_ptr<Authorizer> authorizer_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<WorkerPool> readers_;
  CallEnv env_;
  std::unique_ptr<identity::IdentityServiceImpl> identity_service_;
  std::unique_ptr<statement::StatementCore> statements_;
  std::unique_ptr<statement::StatementServiceImpl> statement_service_;
  std::unique_ptr<statement::StatementReaderForTranslation>
      statement_reader_for_translation_;
  std::unique_ptr<translation::TranslationCore> translations_;
  std::unique_ptr<translation::TranslationServiceImpl> translation_service_;
  std::unique_ptr<memory::glossary::GlossaryCore> glossary_;
  std::unique_ptr<memory::glossary::GlossaryCheckerForTranslation>
      glossary_checker_;
  std::unique_ptr<memory::glossary::GlossaryEdge> glossary_edge_;
  std::unique_ptr<memory::machine::MachineTranslator> machine_;
  std::unique_ptr<statement::StatementReaderForAssignment>
      statements_for_assignment_;
  std::unique_ptr<translation::TranslationReaderForAssignment>
      translations_for_assignment_;
  std::unique_ptr<identity::GrantsReaderForAssignment> grants_for_assignment_;
  std::unique_ptr<assignment::AssignmentCore> assignments_;
  std::unique_ptr<assignment::AssignmentServiceImpl> assignment_service_;
  std::unique_ptr<statement::StatementReaderForPublication>
      publication_statements_;
  std::unique_ptr<translation::TranslationReaderForPublication>
      publication_translations_;
  std::unique_ptr<publication::PublicationCore> publications_;
  std::unique_ptr<publication::PublicationServiceImpl> publication_service_;
  std::unique_ptr<H2Guard> guard_;
  std::unique_ptr<memory::MemoryCore> memory_;
  std::unique_ptr<statement::StatementReaderForMemory> memory_statements_;
  std::unique_ptr<translation::TranslationReaderForMemory> memory_translations_;
  std::unique_ptr<memory::MemoryFeed> memory_feed_;
  std::unique_ptr<memory::MemoryServiceImpl> memory_service_;
  std::unique_ptr<FdListener> listener_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<gateway::Gateway> gateway_;
  int port_ = 0;
  int max_connections_ = 0;
  std::string first_start_admin_token_;
  std::vector<std::string> service_names_;

  absl::Mutex mu_;
  bool shutdown_started_ ABSL_GUARDED_BY(mu_) = false;
  bool shutdown_done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Tesserad>> Tesserad::Start(
    const ServerOptions& options) {
  auto server = std::make_unique<TesseradImpl>(options);
  RETURN_IF_ERROR(server->Init());
  return std::unique_ptr<Tesserad>(std::move(server));
}

absl::StatusOr<std::string> InitDataDir(const ServerOptions& options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("--data_dir is required");
  }
  ASSIGN_OR_RETURN(auto store, OpenStore(options));
  identity::IdentityCore core(store.get(), options.clock, options.random);
  ASSIGN_OR_RETURN(auto issued,
                   core.IssueBootstrapAdminToken("made by tesserad init"));
  return issued.secret;
}

}  // namespace tessera
