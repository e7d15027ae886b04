#include "gateway/gateway.h"

// GCC 12 needs <utility> ahead of Asio's headers.
#include <utility>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "gateway/connect.h"
#include "gateway/static_files.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/client_callback.h"

namespace tessera::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Metadata = std::vector<std::pair<std::string, std::string>>;

constexpr char kCookieName[] = "tessera_token";
constexpr char kWhoAmI[] = "/tessera.v1.IdentityService/WhoAmI";
constexpr int kCookieMaxAgeSeconds = 30 * 24 * 3600;

// Sent with every response, API answers included.
constexpr char kSecurityHeaders[] =
    "Content-Security-Policy: default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Frame-Options: DENY\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Cross-Origin-Resource-Policy: same-origin\r\n";

absl::string_view Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 499: return "Client Closed Request";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status >= 500 ? "Internal Server Error" : "Error";
  }
}

// The head of a response, up to and including the blank line.
std::string Head(int status, absl::string_view content_type,
                 const std::vector<std::string>& extra, bool keep_alive,
                 std::optional<size_t> content_length) {
  std::string out = absl::StrCat("HTTP/1.1 ", status, " ", Reason(status),
                                 "\r\n", kSecurityHeaders);
  if (!content_type.empty()) {
    absl::StrAppend(&out, "Content-Type: ", content_type, "\r\n");
  }
  if (content_length.has_value()) {
    absl::StrAppend(&out, "Content-Length: ", *content_length, "\r\n");
  } else {
    out.append("Transfer-Encoding: chunked\r\n");
  }
  for (const auto& h : extra) absl::StrAppend(&out, h, "\r\n");
  if (!keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n");
  return out;
}

std::string Chunk(absl::string_view data) {
  return absl::StrCat(absl::Hex(data.size()), "\r\n", data, "\r\n");
}

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const auto& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

grpc::ByteBuffer FromString(absl::string_view s) {
  grpc::Slice slice(s.data(), s.size());
  return grpc::ByteBuffer(&slice, 1);
}

// gRPC's own and HTTP's framing headers never go back as metadata.
bool HiddenOutgoing(absl::string_view key) {
  return absl::StartsWith(key, "grpc-") || key == "content-type" ||
         key == "te" || key == "user-agent" || key == ":status";
}

void AppendMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& md,
                    Metadata* out) {
  for (const auto& [k, v] : md) {
    std::string key(k.data(), k.size());
    if (HiddenOutgoing(key)) continue;
    out->emplace_back(std::move(key), std::string(v.data(), v.size()));
  }
}

std::string HeaderValue(const std::string& key, const std::string& value) {
  return absl::EndsWith(key, "-bin") ? Base64Unpadded(value) : value;
}

// Request headers that stay at the HTTP layer.
bool HiddenIncoming(absl::string_view key) {
  static const char* const kExact[] = {
      "host", "connection", "keep-alive", "proxy-connection",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
      "cookie", "origin", "referer", "user-agent", "x-tessera-csrf",
      "priority", "pragma", "cache-control", "dnt"};
  for (const char* e : kExact) {
    if (key == e) return true;
  }
  return absl::StartsWith(key, "content-") || absl::StartsWith(key, "accept") ||
         absl::StartsWith(key, "connect-") || absl::StartsWith(key, "grpc-") ||
         absl::StartsWith(key, "sec-") || absl::StartsWith(key, "if-");
}

bool ValidKey(absl::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

bool PrintableAscii(absl::string_view v) {
  for (unsigned char c : v) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Tokens go into a cookie unquoted: keep to characters a cookie value may
// hold and that IdentityCore's tokens use.
bool CookieSafe(absl::string_view token) {
  if (token.empty() || token.size() > 512) return false;
  for (char c : token) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
          c == '_' || c == '.' || c == '~' || c == '+' || c == '/' ||
          c == '=')) {
      return false;
    }
  }
  return true;
}

std::string CookieToken(absl::string_view header) {
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, kCookieName) &&
        absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

std::string Field(const Request& req, absl::string_view name) {
  auto it = req.find(beast::string_view(name.data(), name.size()));
  if (it == req.end()) return "";
  return std::string(it->value());
}

bool HasField(const Request& req, absl::string_view name) {
  return req.find(beast::string_view(name.data(), name.size())) != req.end();
}

grpc::Status Error(grpc::StatusCode code, std::string message) {
  return grpc::Status(code, std::move(message));
}

struct CallState {
  grpc::ClientContext ctx;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
};

class GatewayImpl;
class StreamCall;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(GatewayImpl* gw, tcp::socket socket);
  ~Session();

  void Start() { ReadRequest(); }
  // From any thread: closes the connection on its strand.
  void PostClose() {
    asio::post(socket_.get_executor(),
               [self = shared_from_this()] { self->Close(); });
  }

  // Called on the strand by a stream call.
  void StreamMessage(StreamCall* call, std::string frame);
  void StreamEnd(std::string tail);
  void UnaryDone(std::string response);
  auto executor() { return socket_.get_executor(); }

 private:
  using Then = std::function<void(bool ok)>;

  void ReadRequest();
  void OnRead(beast::error_code ec);
  void Handle(Request req);
  void HandleConnect(const Request& req);
  void HandleAuth(const Request& req);
  void HandleStatic(const Request& req);
  void HandleStats();

  // Writes `bytes` after what is queued; `then` runs once written (false
  // when the connection is gone).
  void Send(std::string bytes, Then then);
  void WriteNext();
  // A whole response; reads the next request afterwards or closes.
  void Respond(std::string bytes, bool keep_alive);
  void RespondError(const grpc::Status& status, bool streaming, int http_status = 0);
  // Checks Origin and Sec-Fetch-Site, and for cookie credentials the
  // custom header a cross-site form cannot send.
  std::optional<grpc::Status> CsrfCheck(const Request& req, bool cookie_auth);

  void StartWatch();
  void StopWatchThenRead();
  void Arm(absl::Duration d);
  void Disarm() { timer_.cancel(); }
  void Close();
  // Half-closes, then reads and drops what the client still sends for a
  // moment before closing: closing with unread bytes would reset the
  // connection and could destroy the response in flight (a 413 sent
  // while the client is still uploading).
  void LingerClose();
  void Drain();
  void BeginCall(std::shared_ptr<CallState> call, bool stream);
  void EndCall();

  GatewayImpl* const gw_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<std::pair<std::string, Then>> out_;
  bool writing_ = false;
  bool closed_ = false;
  bool watching_ = false;
  bool read_after_watch_ = false;
  bool keep_alive_ = true;
  bool streaming_ = false;
  Codec codec_ = Codec::kJson;
  bool counted_stream_ = false;
  std::shared_ptr<CallState> call_;
  uint64_t id_ = 0;
};

class GatewayImpl final : public Gateway {
 public:
  GatewayImpl(const GatewayOptions& options,
              std::shared_ptr<grpc::Channel> channel)
      : options_(options),
        channel_(std::move(channel)),
        stub_(channel_),
        files_(options.web_root),
        ioc_(std::make_unique<asio::io_context>(options.threads)),
        acceptor_(*ioc_) {}

  ~GatewayImpl() override { Stop(); }

  absl::Status Init() {
    if (options_.threads < 1 || options_.max_connections < 1) {
      return absl::InvalidArgumentError("gateway: threads and connections must be positive");
    }
    for (const auto& name : options_.services) {
      const auto* svc =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
      if (svc == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("gateway: unknown service ", name));
      }
      services_[name] = svc;
    }
    size_t colon = options_.listen.rfind(':');
    int port = 0;
    if (colon == std::string::npos ||
        !absl::SimpleAtoi(options_.listen.substr(colon + 1), &port) ||
        port < 0 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("--http_listen must be HOST:PORT, not \"", options_.listen, "\""));
    }
    std::string host = options_.listen.substr(0, colon);
    if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
      host = host.substr(1, host.size() - 2);
    }
    beast::error_code ec;
    tcp::resolver resolver(*ioc_);
    auto results = resolver.resolve(host, std::to_string(port),
                                    tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return absl::UnavailableError(absl::StrCat("cannot resolve ", options_.listen));
    }
    tcp::endpoint ep = results.begin()->endpoint();
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options_.listen, ": ", ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    loopback_ = ep.address().is_loopback();
    Accept();
    for (int i = 0; i < options_.threads; ++i) {
      threads_.emplace_back([this] { ioc_->run(); });
    }
    return absl::OkStatus();
  }

  int port() const override { return port_; }
  bool loopback() const override { return loopback_; }

  Stats stats() const override {
    Stats s;
    s.connections = connections_.load();
    s.calls = calls_.load();
    s.streams = streams_.load();
    return s;
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [id, weak] : sessions_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->PostClose();
    live.clear();
    // Closing cancels the calls; their callbacks post onto the loop, which
    // must still run until the last one has.
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (calls_.load() > 0 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    ioc_->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    ioc_.reset();
  }

  const GatewayOptions& options() const { return options_; }
  grpc::GenericStub& stub() { return stub_; }
  const StaticFiles& files() const { return files_; }
  const google::protobuf::ServiceDescriptor* FindService(const std::string& name) const {
    auto it = services_.find(name);
    return it == services_.end() ? nullptr : it->second;
  }

  uint64_t Register(const std::shared_ptr<Session>& s) {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t id = ++next_id_;
    sessions_[id] = s;
    return id;
  }
  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.erase(id);
  }

  std::atomic<int> connections_{0};
  std::atomic<int> calls_{0};
  std::atomic<int> streams_{0};

 private:
  void Accept() {
    acceptor_.async_accept(
        asio::make_strand(*ioc_),
        [this](beast::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
          if (!ec) {
            if (connections_.load() >= options_.max_connections) {
              socket.close(ec);
            } else {
              socket.set_option(tcp::no_delay(true), ec);
              auto s = std::make_shared<Session>(this, std::move(socket));
              s->Start();
            }
          } else {
            // Out of descriptors and the like: back off briefly rather
            // than spin.
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
          Accept();
        });
  }

  const GatewayOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  StaticFiles files_;
  std::map<std::string, const google::protobuf::ServiceDescriptor*> services_;
  std::unique_ptr<asio::io_context> ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  bool loopback_ = false;

  std::mutex mu_;
  bool stopped_ = false;
  uint64_t next_id_ = 0;
  std::map<uint64_t, std::weak_ptr<Session>> sessions_;
};

// A server-streaming call: one request, then messages, then the status.
// Owns itself until OnDone. The hold keeps OnDone back while the session
// may still call StartRead: the session owns it between a message's
// arrival and its StartRead, gRPC while a read is outstanding.
class StreamCall final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamCall(std::shared_ptr<Session> session, std::shared_ptr<CallState> call,
             const google::protobuf::Descriptor* output, Codec codec,
             GatewayImpl* gw)
      : session_(std::move(session)), call_(std::move(call)), output_(output),
        codec_(codec), gw_(gw) {}

  void Start(const std::string& method) {
    gw_->stub().PrepareBidiStreamingCall(&call_->ctx, method, {}, this);
    StartWriteLast(&call_->request, grpc::WriteOptions());
    StartRead(&call_->response);
    AddHold();
    StartCall();
  }

  // On the session's strand, after the previous frame was written.
  void ReadNext() { StartRead(&call_->response); }
  void Abandon() {
    call_->ctx.TryCancel();
    RemoveHold();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      RemoveHold();
      return;
    }
    std::string payload;
    if (codec_ == Codec::kProto) {
      payload = ToString(call_->response);
    } else {
      std::unique_ptr<google::protobuf::Message> m(
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(output_)->New());
      std::string bytes = ToString(call_->response);
      if (!m->ParseFromString(bytes) ||
          !google::protobuf::util::MessageToJsonString(*m, &payload).ok()) {
        payload = "{}";
      }
    }
    std::string frame = Chunk(Envelope(0, payload));
    asio::post(session_->executor(),
               [s = session_, this, f = std::move(frame)]() mutable {
                 s->StreamMessage(this, std::move(f));
               });
  }

  void OnDone(const grpc::Status& status) override {
    Metadata md;
    AppendMetadata(call_->ctx.GetServerInitialMetadata(), &md);
    AppendMetadata(call_->ctx.GetServerTrailingMetadata(), &md);
    std::string tail =
        Chunk(Envelope(kFlagEndStream, EndStreamJson(status, md))) + "0\r\n\r\n";
    std::shared_ptr<Session> s = std::move(session_);
    asio::post(s->executor(), [s, t = std::move(tail)]() mutable {
      s->StreamEnd(std::move(t));
    });
    GatewayImpl* gw = gw_;
    delete this;
    gw->calls_.fetch_sub(1);
  }

 private:
  std::shared_ptr<Session> session_;
  std::shared_ptr<CallState> call_;
  const google::protobuf::Descriptor* output_;
  Codec codec_;
  GatewayImpl* gw_;
};

Session::Session(GatewayImpl* gw, tcp::socket socket)
    : gw_(gw), socket_(std::move(socket)), timer_(socket_.get_executor()) {
  gw_->connections_.fetch_add(1);
}

Session::~Session() {
  if (id_ != 0) gw_->Unregister(id_);
  gw_->connections_.fetch_sub(1);
}

void Session::Arm(absl::Duration d) {
  timer_.expires_after(absl::ToChronoMilliseconds(d));
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->Close();
  });
}

void Session::Close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  timer_.cancel();
  if (call_ != nullptr) call_->ctx.TryCancel();
}

void Session::LingerClose() {
  if (closed_) return;
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec || watching_) {
    Close();
    return;
  }
  Arm(absl::Seconds(2));
  Drain();
}

void Session::Drain() {
  if (closed_) return;
  buffer_.clear();
  socket_.async_read_some(
      buffer_.prepare(16384),
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) {
          self->Close();
          return;
        }
        self->Drain();
      });
}

void Session::ReadRequest() {
  if (closed_) return;
  if (id_ == 0) id_ = gw_->Register(shared_from_this());
  parser_.emplace();
  parser_->body_limit(gw_->options().max_body_bytes);
  parser_->header_limit(static_cast<uint32_t>(gw_->options().max_header_bytes));
  Arm(gw_->options().idle_timeout);
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->OnRead(ec);
                   });
}

void Session::OnRead(beast::error_code ec) {
  Disarm();
  if (closed_) return;
  if (ec == http::error::body_limit) {
    streaming_ = false;
    // The rest of the body is never read, so the connection cannot be reused.
    keep_alive_ = false;
    RespondError(Error(grpc::StatusCode::RESOURCE_EXHAUSTED,
                       absl::StrCat("request body larger than ",
                                    gw_->options().max_body_bytes, " bytes")),
                 false, 413);
    return;
  }
  if (ec == http::error::header_limit) {
    keep_alive_ = false;
    Respond(Head(431, "text/plain; charset=utf-8", {}, false, 24) +
                "request headers too big\n",
            false);
    return;
  }
  if (ec) {
    Close();
    return;
  }
  Handle(parser_->release());
}

void Session::Send(std::string bytes, Then then) {
  if (closed_) {
    if (then) then(false);
    return;
  }
  out_.emplace_back(std::move(bytes), std::move(then));
  if (!writing_) WriteNext();
}

void Session::WriteNext() {
  if (out_.empty()) {
    writing_ = false;
    return;
  }
  writing_ = true;
  Arm(gw_->options().write_timeout);
  asio::async_write(
      socket_, asio::buffer(out_.front().first),
      [self = shared_from_this()](beast::error_code ec, size_t) {
        self->Disarm();
        Then then = std::move(self->out_.front().second);
        self->out_.pop_front();
        if (ec) {
          self->Close();
          // Whatever else was queued is lost with the connection.
          std::deque<std::pair<std::string, Then>> rest;
          rest.swap(self->out_);
          self->writing_ = false;
          if (then) then(false);
          for (auto& [b, t] : rest) {
            if (t) t(false);
          }
          return;
        }
        if (then) then(!self->closed_);
        self->WriteNext();
      });
}

void Session::Respond(std::string bytes, bool keep_alive) {
  Send(std::move(bytes), [self = shared_from_this(), keep_alive](bool ok) {
    if (!ok) return;
    if (keep_alive) {
      self->StopWatchThenRead();
    } else {
      self->LingerClose();
    }
  });
}

void Session::RespondError(const grpc::Status& status, bool streaming,
                           int http_status) {
  if (streaming) {
    std::string body = Head(200, codec_ == Codec::kJson ? "application/connect+json"
                                                        : "application/connect+proto",
                            {"Cache-Control: no-store"}, keep_alive_, std::nullopt);
    body += Chunk(Envelope(kFlagEndStream, EndStreamJson(status, {})));
    body += "0\r\n\r\n";
    Respond(std::move(body), keep_alive_);
    return;
  }
  std::string json = ErrorJson(status);
  int code = http_status != 0 ? http_status : HttpStatusFor(status.error_code());
  Respond(Head(code, "application/json", {"Cache-Control: no-store"},
               keep_alive_, json.size()) + json,
          keep_alive_);
}

// While a call is in flight the socket is still read, so that a client
// closing it cancels the call at once. Bytes that arrive (a pipelined
// request) stay in buffer_ for the parser.
void Session::StartWatch() {
  if (closed_ || watching_) return;
  if (buffer_.size() > gw_->options().max_header_bytes) return;
  watching_ = true;
  socket_.async_read_some(
      buffer_.prepare(4096),
      [self = shared_from_this()](beast::error_code ec, size_t n) {
        self->buffer_.commit(n);
        self->watching_ = false;
        if (ec && ec != asio::error::operation_aborted) {
          self->Close();
          return;
        }
        if (self->read_after_watch_) {
          self->read_after_watch_ = false;
          self->ReadRequest();
          return;
        }
        if (!ec) self->StartWatch();
      });
}

void Session::StopWatchThenRead() {
  if (closed_) return;
  if (watching_) {
    read_after_watch_ = true;
    beast::error_code ec;
    socket_.cancel(ec);
    return;
  }
  ReadRequest();
}

void Session::BeginCall(std::shared_ptr<CallState> call, bool stream) {
  call_ = std::move(call);
  gw_->calls_.fetch_add(1);
  counted_stream_ = stream;
  if (stream) gw_->streams_.fetch_add(1);
  StartWatch();
}

void Session::EndCall() {
  call_.reset();
  if (counted_stream_) gw_->streams_.fetch_sub(1);
  counted_stream_ = false;
}

void Session::UnaryDone(std::string response) {
  EndCall();
  Respond(std::move(response), keep_alive_);
}

void Session::StreamMessage(StreamCall* call, std::string frame) {
  Send(std::move(frame), [call](bool ok) {
    if (ok) {
      call->ReadNext();
    } else {
      call->Abandon();
    }
  });
}

void Session::StreamEnd(std::string tail) {
  EndCall();
  Respond(std::move(tail), keep_alive_);
}

void Session::Handle(Request req) {
  keep_alive_ = req.keep_alive();
  streaming_ = false;
  absl::string_view target(req.target().data(), req.target().size());
  if (absl::StartsWith(target, "/auth/")) {
    HandleAuth(req);
    return;
  }
  if (req.method() == http::verb::post) {
    HandleConnect(req);
    return;
  }
  if (req.method() == http::verb::get || req.method() == http::verb::head) {
    if (target == "/_gateway/stats") {
      HandleStats();
      return;
    }
    HandleStatic(req);
    return;
  }
  std::string body = "method not allowed\n";
  Respond(Head(405, "text/plain; charset=utf-8", {"Allow: GET, HEAD, POST"},
               keep_alive_, body.size()) + body,
          keep_alive_);
}

std::optional<grpc::Status> Session::CsrfCheck(const Request& req,
                                               bool cookie_auth) {
  std::string site = absl::AsciiStrToLower(Field(req, "sec-fetch-site"));
  if (!site.empty() && site != "same-origin" && site != "none") {
    return Error(grpc::StatusCode::PERMISSION_DENIED,
                 "cross-site request refused (Sec-Fetch-Site: " + site + ")");
  }
  if (HasField(req, "origin")) {
    std::string origin = absl::AsciiStrToLower(Field(req, "origin"));
    absl::string_view o = origin;
    std::string host = absl::AsciiStrToLower(Field(req, "host"));
    if (!(absl::ConsumePrefix(&o, "http://") || absl::ConsumePrefix(&o, "https://")) ||
        host.empty() || o != host) {
      return Error(grpc::StatusCode::PERMISSION_DENIED,
                   "cross-origin request refused (Origin: " + origin + ")");
    }
  }
  if (cookie_auth && Field(req, "connect-protocol-version") != "1" &&
      !HasField(req, "x-tessera-csrf")) {
    return Error(grpc::StatusCode::PERMISSION_DENIED,
                 "a request signed in by cookie must send "
                 "Connect-Protocol-Version: 1 or X-Tessera-CSRF");
  }
  return std::nullopt;
}

void Session::HandleConnect(const Request& req) {
  std::string target(req.target());
  std::string path = target.substr(0, target.find('?'));
  const google::protobuf::MethodDescriptor* method = nullptr;
  if (size_t slash = path.find('/', 1);
      path.size() > 1 && path[0] == '/' && slash != std::string::npos) {
    const auto* svc = gw_->FindService(path.substr(1, slash - 1));
    if (svc != nullptr) method = svc->FindMethodByName(path.substr(slash + 1));
  }
  if (method == nullptr) {
    RespondError(Error(grpc::StatusCode::UNIMPLEMENTED,
                       absl::StrCat("no method ", path)),
                 false, 404);
    return;
  }
  std::optional<ContentType> ct = ParseContentType(Field(req, "content-type"));
  bool server_streaming = method->server_streaming();
  if (!ct.has_value() || ct->streaming != server_streaming ||
      method->client_streaming()) {
    std::string want = server_streaming ? "application/connect+json or application/connect+proto"
                                        : "application/json or application/proto";
    RespondError(Error(grpc::StatusCode::UNKNOWN,
                       absl::StrCat("unsupported content type \"",
                                    Field(req, "content-type"), "\"; ", path,
                                    " takes ", want)),
                 false, 415);
    return;
  }
  streaming_ = ct->streaming;
  codec_ = ct->codec;
  if (HasField(req, "connect-protocol-version") &&
      Field(req, "connect-protocol-version") != "1") {
    RespondError(Error(grpc::StatusCode::INVALID_ARGUMENT,
                       "Connect-Protocol-Version must be 1"),
                 streaming_);
    return;
  }
  for (const char* h : {"content-encoding", "connect-content-encoding"}) {
    std::string enc = absl::AsciiStrToLower(Field(req, h));
    if (!enc.empty() && enc != "identity") {
      RespondError(Error(grpc::StatusCode::UNIMPLEMENTED,
                         absl::StrCat("unsupported ", h, " \"", enc,
                                      "\"; only identity is accepted")),
                   streaming_);
      return;
    }
  }
  std::optional<int64_t> timeout_ms;
  if (HasField(req, "connect-timeout-ms")) {
    timeout_ms = ParseTimeoutMs(Field(req, "connect-timeout-ms"));
    if (!timeout_ms.has_value()) {
      RespondError(Error(grpc::StatusCode::INVALID_ARGUMENT,
                         "Connect-Timeout-Ms must be 1 to 10 digits"),
                   streaming_);
      return;
    }
    if (*timeout_ms == 0) {
      // A zero budget is spent before the call starts; the in-process
      // channel would otherwise finish a fast call inside it.
      RespondError(Error(grpc::StatusCode::DEADLINE_EXCEEDED,
                         "Connect-Timeout-Ms is 0"),
                   streaming_);
      return;
    }
  }
  std::string authorization = Field(req, "authorization");
  bool cookie_auth = false;
  if (authorization.empty()) {
    std::string token = CookieToken(Field(req, "cookie"));
    if (!token.empty()) {
      authorization = "Bearer " + token;
      cookie_auth = true;
    }
  }
  if (auto refused = CsrfCheck(req, cookie_auth)) {
    RespondError(*refused, streaming_);
    return;
  }

  auto call = std::make_shared<CallState>();
  for (const auto& f : req) {
    std::string key = absl::AsciiStrToLower(
        absl::string_view(f.name_string().data(), f.name_string().size()));
    if (HiddenIncoming(key) || key == "authorization" || !ValidKey(key)) continue;
    std::string value(f.value());
    if (absl::EndsWith(key, "-bin")) {
      auto raw = Base64Decode(value);
      if (!raw.has_value()) {
        RespondError(Error(grpc::StatusCode::INVALID_ARGUMENT,
                           "header " + key + " is not base64"),
                     streaming_);
        return;
      }
      value = *raw;
    } else if (!PrintableAscii(value)) {
      RespondError(Error(grpc::StatusCode::INVALID_ARGUMENT,
                         "header " + key + " is not printable ASCII"),
                   streaming_);
      return;
    }
    call->ctx.AddMetadata(key, value);
  }
  if (!authorization.empty()) {
    if (!PrintableAscii(authorization)) {
      RespondError(Error(grpc::StatusCode::UNAUTHENTICATED, "malformed authorization"),
                   streaming_);
      return;
    }
    call->ctx.AddMetadata("authorization", authorization);
  }
  if (timeout_ms.has_value()) {
    int64_t ms = std::min<int64_t>(
        *timeout_ms, absl::ToInt64Milliseconds(gw_->options().max_timeout));
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::milliseconds(ms));
  }

  absl::string_view body = req.body();
  if (streaming_) {
    auto env = SingleEnvelope(body);
    if (!env.has_value()) {
      RespondError(Error(grpc::StatusCode::INVALID_ARGUMENT,
                         "the request body must be one whole envelope"),
                   true);
      return;
    }
    if (env->first & kFlagCompressed) {
      RespondError(Error(grpc::StatusCode::UNIMPLEMENTED,
                         "compressed envelopes are not accepted"),
                   true);
      return;
    }
    body = env->second;
  }
  if (ct->codec == Codec::kJson) {
    std::unique_ptr<google::protobuf::Message> m(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())->New());
    google::protobuf::util::JsonParseOptions opts;
    opts.ignore_unknown_fields = true;
    absl::string_view json = body.empty() ? absl::string_view("{}") : body;
    auto st = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(json.data(), json.size()), m.get(), opts);
    if (!st.ok()) {
      RespondError(Error(grpc::StatusCode::INVALID_ARGUMENT,
                         absl::StrCat("bad JSON for ", method->input_type()->full_name(),
                                      ": ", std::string(st.message()))),
                   streaming_);
      return;
    }
    call->request = FromString(m->SerializeAsString());
  } else {
    call->request = FromString(body);
  }

  std::string grpc_method = absl::StrCat("/", method->service()->full_name(), "/",
                                         method->name());
  if (streaming_) {
    // Headers go out at once: an idle stream must still look open to the
    // browser. Initial metadata therefore travels in the end-stream frame.
    std::string head = Head(200, ct->codec == Codec::kJson ? "application/connect+json"
                                                          : "application/connect+proto",
                            {"Cache-Control: no-store"}, keep_alive_, std::nullopt);
    BeginCall(call, true);
    Send(std::move(head), nullptr);
    auto* reactor = new StreamCall(shared_from_this(), call, method->output_type(),
                                   ct->codec, gw_);
    reactor->Start(grpc_method);
    return;
  }
  BeginCall(call, false);
  const google::protobuf::Descriptor* output = method->output_type();
  Codec codec = ct->codec;
  bool keep = keep_alive_;
  GatewayImpl* gw = gw_;
  gw_->stub().UnaryCall(
      &call->ctx, grpc_method, {}, &call->request, &call->response,
      [self = shared_from_this(), call, output, codec, keep, gw](grpc::Status s) {
        std::string response;
        std::vector<std::string> headers = {"Cache-Control: no-store"};
        Metadata initial, trailing;
        AppendMetadata(call->ctx.GetServerInitialMetadata(), &initial);
        AppendMetadata(call->ctx.GetServerTrailingMetadata(), &trailing);
        for (const auto& [k, v] : initial) {
          headers.push_back(absl::StrCat(k, ": ", HeaderValue(k, v)));
        }
        for (const auto& [k, v] : trailing) {
          headers.push_back(absl::StrCat("trailer-", k, ": ", HeaderValue(k, v)));
        }
        std::string payload;
        if (s.ok()) {
          payload = ToString(call->response);
          if (codec == Codec::kJson) {
            std::unique_ptr<google::protobuf::Message> m(
                google::protobuf::MessageFactory::generated_factory()
                    ->GetPrototype(output)->New());
            std::string json;
            if (m->ParseFromString(payload) &&
                google::protobuf::util::MessageToJsonString(*m, &json).ok()) {
              payload = std::move(json);
            } else {
              s = Error(grpc::StatusCode::INTERNAL, "cannot encode the response as JSON");
            }
          }
        }
        if (s.ok()) {
          response = Head(200, codec == Codec::kJson ? "application/json" : "application/proto",
                          headers, keep, payload.size()) + payload;
        } else {
          payload = ErrorJson(s);
          response = Head(HttpStatusFor(s.error_code()), "application/json", headers,
                          keep, payload.size()) + payload;
        }
        asio::post(self->executor(), [self, r = std::move(response)]() mutable {
          self->UnaryDone(std::move(r));
        });
        gw->calls_.fetch_sub(1);
      });
}

void Session::HandleAuth(const Request& req) {
  std::string target(req.target());
  std::string path = target.substr(0, target.find('?'));
  bool sign_in = path == "/auth/session" && req.method() == http::verb::post;
  bool sign_out = (path == "/auth/session" && req.method() == http::verb::delete_) ||
                  (path == "/auth/signout" && req.method() == http::verb::post);
  if (!sign_in && !sign_out) {
    RespondError(Error(grpc::StatusCode::NOT_FOUND, "no such endpoint " + path),
                 false, path == "/auth/session" || path == "/auth/signout" ? 405 : 404);
    return;
  }
  // Signing in or out is a write whatever the credentials: always demand
  // the custom header, so a cross-site form can neither log a victim in
  // (login CSRF) nor out.
  if (auto refused = CsrfCheck(req, /*cookie_auth=*/true)) {
    RespondError(*refused, false);
    return;
  }
  std::string attributes = "; Path=/; HttpOnly; SameSite=Strict";
  if (!gw_->loopback()) attributes += "; Secure";
  if (sign_out) {
    std::string body = "{}";
    Respond(Head(200, "application/json",
                 {"Cache-Control: no-store",
                  absl::StrCat("Set-Cookie: ", kCookieName, "=", attributes, "; Max-Age=0")},
                 keep_alive_, body.size()) + body,
            keep_alive_);
    return;
  }
  auto ct = ParseContentType(Field(req, "content-type"));
  if (!ct.has_value() || ct->streaming || ct->codec != Codec::kJson) {
    RespondError(Error(grpc::StatusCode::UNKNOWN,
                       "sign-in takes application/json: {\"token\":\"...\"}"),
                 false, 415);
    return;
  }
  google::protobuf::Struct body;
  std::string token;
  if (google::protobuf::util::JsonStringToMessage(req.body(), &body).ok()) {
    auto it = body.fields().find("token");
    if (it != body.fields().end()) token = it->second.string_value();
  }
  if (!CookieSafe(token)) {
    RespondError(Error(grpc::StatusCode::INVALID_ARGUMENT,
                       "sign-in takes {\"token\":\"...\"} with a token as issued"),
                 false);
    return;
  }
  auto call = std::make_shared<CallState>();
  call->ctx.AddMetadata("authorization", "Bearer " + token);
  call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  call->request = FromString("");
  BeginCall(call, false);
  const google::protobuf::Descriptor* output =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          "tessera.v1.WhoAmIResponse");
  bool keep = keep_alive_;
  GatewayImpl* gw = gw_;
  gw_->stub().UnaryCall(
      &call->ctx, kWhoAmI, {}, &call->request, &call->response,
      [self = shared_from_this(), call, output, keep, gw, token,
       attributes](grpc::Status s) {
        std::string json;
        if (s.ok() && output != nullptr) {
          std::unique_ptr<google::protobuf::Message> m(
              google::protobuf::MessageFactory::generated_factory()
                  ->GetPrototype(output)->New());
          if (!m->ParseFromString(ToString(call->response)) ||
              !google::protobuf::util::MessageToJsonString(*m, &json).ok()) {
            json = "{}";
          }
        }
        std::string response;
        if (s.ok()) {
          response = Head(200, "application/json",
                          {"Cache-Control: no-store",
                           absl::StrCat("Set-Cookie: ", kCookieName, "=", token,
                                        attributes, "; Max-Age=", kCookieMaxAgeSeconds)},
                          keep, json.size()) + json;
        } else {
          json = ErrorJson(s);
          response = Head(HttpStatusFor(s.error_code()), "application/json",
                          {"Cache-Control: no-store"}, keep, json.size()) + json;
        }
        asio::post(self->executor(), [self, r = std::move(response)]() mutable {
          self->UnaryDone(std::move(r));
        });
        gw->calls_.fetch_sub(1);
      });
}

void Session::HandleStatic(const Request& req) {
  absl::string_view target(req.target().data(), req.target().size());
  StaticFile f = gw_->files().Get(target, Field(req, "if-none-match"));
  bool head = req.method() == http::verb::head;
  if (f.status == 200 || f.status == 304) {
    std::vector<std::string> headers = {"ETag: " + f.etag,
                                        "Cache-Control: " + f.cache_control};
    std::string out = Head(f.status, f.status == 200 ? f.content_type : "",
                           headers, keep_alive_,
                           f.status == 200 ? f.body.size() : 0);
    if (f.status == 200 && !head) out += f.body;
    Respond(std::move(out), keep_alive_);
    return;
  }
  std::string body = f.status == 400 ? "bad path\n" : "not found\n";
  std::string out = Head(f.status, "text/plain; charset=utf-8", {}, keep_alive_,
                         body.size());
  if (!head) out += body;
  Respond(std::move(out), keep_alive_);
}

// Counters for operators and tests, to local peers only.
void Session::HandleStats() {
  beast::error_code ec;
  auto peer = socket_.remote_endpoint(ec);
  if (ec || !peer.address().is_loopback()) {
    std::string body = "not found\n";
    Respond(Head(404, "text/plain; charset=utf-8", {}, keep_alive_, body.size()) + body,
            keep_alive_);
    return;
  }
  Gateway::Stats s = gw_->stats();
  std::string body = absl::StrCat("{\"connections\":", s.connections, ",\"calls\":",
                                  s.calls, ",\"streams\":", s.streams, "}");
  Respond(Head(200, "application/json", {"Cache-Control: no-store"}, keep_alive_,
               body.size()) + body,
          keep_alive_);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(
    const GatewayOptions& options, std::shared_ptr<grpc::Channel> channel) {
  auto gw = std::make_unique<GatewayImpl>(options, std::move(channel));
  absl::Status st = gw->Init();
  if (!st.ok()) return st;
  return std::unique_ptr<Gateway>(std::move(gw));
}

}  // namespace tessera::gateway
