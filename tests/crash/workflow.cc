#include "tests/crash/workflow.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tessera/v1/assignment.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"

namespace tessera::testing {
namespace {

const char kSource[] =
    "The assembly met in the old hall after sunset.\n\n"
    "Every delegate asked for a written record of the vote.\n\n"
    "The committee will publish its findings next spring.\n\n"
    "Farmers in the valley reported a late harvest.\n\n"
    "Schools reopened once the roads were cleared.\n\n"
    "The council thanked the volunteers for their work.\n";

const char* const kWords[] = {"alpha", "bravo", "cedar", "delta",
                              "ember", "fjord", "garnet", "harbor"};

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
  auto ctx = AuthContext(token);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(5));
  return ctx;
}

bool Lost(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         s.error_code() == grpc::StatusCode::INTERNAL ||
         s.error_code() == grpc::StatusCode::CANCELLED;
}

}  // namespace

Workflow::Workflow(std::function<void(ServerOptions&)> tweak, uint64_t seed)
    : tweak_(std::move(tweak)), seed_(seed) {}

void Workflow::SetUp() {
  server_ = std::make_unique<TestServer>(tweak_);
  ca_ = server_->CreateUserWithToken("ca",
                                     {Grant(v1::ROLE_COORDINATOR, {"de", "fr"})});
  cb_ = server_->CreateUserWithToken("cb",
                                     {Grant(v1::ROLE_COORDINATOR, {"de", "fr"})});
  auto statements = v1::StatementService::NewStub(server_->channel());
  v1::CreateStatementRequest req;
  req.set_title("Power");
  req.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
  req.set_source(kSource);
  req.set_source_language("en");
  req.add_target_languages("de");
  req.add_target_languages("fr");
  v1::Statement st;
  auto ctx = Ctx(ca_);
  grpc::Status s = statements->CreateStatement(ctx.get(), req, &st);
  ASSERT_TRUE(s.ok()) << s.error_message();
  statement_ = st.name();
  auto tr = v1::TranslationService::NewStub(server_->channel());
  for (const char* lang : {"de", "fr"}) {
    Lane lane;
    lane.language = lang;
    lane.rng.seed(static_cast<uint32_t>(seed_ + lanes_.size()));
    v1::ListSegmentsRequest list;
    list.set_parent(absl::StrCat(statement_, "/languages/", lang));
    v1::ListSegmentsResponse resp;
    auto lctx = Ctx(ca_);
    s = tr->ListSegments(lctx.get(), list, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& t : resp.translations()) {
      lane.names.push_back(t.name());
      lane.model[t.name()] = {t.version(), t.state(), t.content().text()};
    }
    ASSERT_FALSE(lane.names.empty());
    lanes_.push_back(std::move(lane));
  }
}

bool Workflow::Step(int index) {
  Lane& lane = lanes_[index];
  auto tr = v1::TranslationService::NewStub(server_->channel());
  // A failed change is retried on the same segment next time.
  const std::string name = lane.names[lane.next % lane.names.size()];
  Seg& m = lane.model[name];
  Seg want{m.version + 1, m.state, m.text};
  v1::Translation out;
  grpc::Status s;
  // The same change retried carries the same text.
  const size_t h = std::hash<std::string>()(absl::StrCat(name, m.version));
  std::string text = absl::StrCat(lane.language, " ", kWords[h % 8], " ",
                                  kWords[(h / 8) % 8]);
  switch (m.state) {
    case v1::SEGMENT_STATE_TRANSLATED:
      if (lane.rng() % 4 != 0) {
        v1::ApproveRequest r;
        r.set_name(name);
        r.set_version(m.version);
        want.state = v1::SEGMENT_STATE_APPROVED;
        lane.inflight = {name, want};
        auto ctx = Ctx(cb_);
        s = tr->Approve(ctx.get(), r, &out);
      } else {
        v1::RejectRequest r;
        r.set_name(name);
        r.set_version(m.version);
        r.set_reason("check the terms");
        want.state = v1::SEGMENT_STATE_REJECTED;
        lane.inflight = {name, want};
        auto ctx = Ctx(cb_);
        s = tr->Reject(ctx.get(), r, &out);
      }
      break;
    case v1::SEGMENT_STATE_APPROVED: {
      v1::ReopenRequest r;
      r.set_name(name);
      r.set_version(m.version);
      want.state = v1::SEGMENT_STATE_TRANSLATED;
      lane.inflight = {name, want};
      auto ctx = Ctx(ca_);
      s = tr->Reopen(ctx.get(), r, &out);
      break;
    }
    default: {
      v1::SubmitRequest r;
      r.set_name(name);
      r.set_version(m.version);
      r.mutable_content()->set_text(text);
      want.state = v1::SEGMENT_STATE_TRANSLATED;
      want.text = text;
      lane.inflight = {name, want};
      auto ctx = Ctx(ca_);
      s = tr->Submit(ctx.get(), r, &out);
      break;
    }
  }
  lane.last = s;
  if (!s.ok()) {
    if (!Lost(s)) {
      ADD_FAILURE() << name << " v" << m.version << ": unexpected "
                    << s.error_code() << " " << s.error_message();
      lane.inflight.reset();
    }
    return false;
  }
  lane.inflight.reset();
  ++lane.next;
  EXPECT_EQ(out.version(), want.version) << name;
  EXPECT_EQ(static_cast<int>(out.state()), want.state) << name;
  EXPECT_EQ(out.content().text(), want.text) << name;
  m = {out.version(), out.state(), out.content().text()};
  ++acknowledged_;
  return true;
}

void Workflow::Verify() {
  auto tr = v1::TranslationService::NewStub(server_->channel());
  auto as = v1::AssignmentService::NewStub(server_->channel());
  for (Lane& lane : lanes_) {
    SCOPED_TRACE(lane.language);
    v1::ListSegmentsRequest list;
    list.set_parent(absl::StrCat(statement_, "/languages/", lane.language));
    v1::ListSegmentsResponse resp;
    auto lctx = Ctx(ca_);
    grpc::Status s = tr->ListSegments(lctx.get(), list, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    std::map<int, std::pair<int, int64_t>> recount;
    for (const auto& t : resp.translations()) {
      if (t.state() == v1::SEGMENT_STATE_UNSPECIFIED) continue;
      auto& [n, words] = recount[t.state()];
      ++n;
      words += t.source().word_count();
      Seg& m = lane.model[t.name()];
      Seg got{t.version(), t.state(), t.content().text()};
      const bool was_inflight =
          lane.inflight && lane.inflight->first == t.name();
      if (got.version == m.version) {
        ASSERT_EQ(got.state, m.state) << t.name() << " v" << got.version;
        ASSERT_EQ(got.text, m.text) << t.name() << " v" << got.version;
      } else {
        ASSERT_TRUE(was_inflight && got.version == lane.inflight->second.version)
            << t.name() << " is at version " << got.version
            << ", acknowledged " << m.version;
        ASSERT_EQ(got.state, lane.inflight->second.state)
            << t.name() << " landed partly";
        ASSERT_EQ(got.text, lane.inflight->second.text)
            << t.name() << " landed partly";
        m = got;
        ++landed_;
        lane.inflight.reset();
      }
      // The history is contiguous and ends at the current version.
      v1::GetHistoryRequest hreq;
      hreq.set_name(t.name());
      hreq.set_page_size(1000);
      v1::GetHistoryResponse hist;
      auto hctx = Ctx(ca_);
      s = tr->GetHistory(hctx.get(), hreq, &hist);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ASSERT_EQ(hist.entries_size(), got.version) << t.name();
      for (int i = 0; i < hist.entries_size(); ++i) {
        ASSERT_EQ(hist.entries(i).version(), i + 1) << t.name();
      }
      EXPECT_EQ(static_cast<int>(hist.entries(hist.entries_size() - 1).state()),
                got.state);
    }
    // A change in flight that has not landed stays possible: it may still
    // surface from the log after a restart.
    v1::GetProgressRequest preq;
    preq.set_statement(statement_);
    preq.add_languages(lane.language);
    v1::Progress prog;
    auto pctx = Ctx(ca_);
    s = as->GetProgress(pctx.get(), preq, &prog);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(prog.languages_size(), 1);
    for (const auto& sc : prog.languages(0).state_counts()) {
      auto want = recount[sc.state()];
      EXPECT_EQ(sc.segments(), want.first) << "state " << sc.state();
      EXPECT_EQ(sc.words(), want.second) << "state " << sc.state();
    }
  }
}

}  // namespace tessera::testing
