// Issue 6 acceptance: lib/cms (BeastHttpClient -> RetryingHttpClient -> TokenSource + CMS sink,
// CanonicalClient) against feedsync-sim's CMS over real loopback sockets. Each test checks the
// sink's results and what the simulator stored; every test also checks that no request of the
// run was answered 415 (every PATCH was JSON Merge Patch).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "integration/cms_sim_stack.hpp"

namespace feedsync::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CmsSimTest : public ::testing::Test {
 protected:
  // `tweak` adjusts the default StackOptions.
  template <class F>
  void start(F tweak) {
    StackOptions options;
    tweak(options);
    stack_ = std::make_unique<CmsSimStack>(std::move(options));
  }
  CmsSimStack& s() { return *stack_; }

  void TearDown() override {
    if (!stack_) return;
    EXPECT_EQ(stack_->requests_with_status(415), 0u) << json::serialize(stack_->counters());
    stack_.reset();
  }

  // The version of the item whose "version" is `id`, from the simulator's store.
  static std::optional<json::object> version_of(const json::object& item, const std::string& id) {
    for (const auto& v : item.at("versions").as_array())
      if (v.as_object().at("version").as_string() == id) return v.as_object();
    return std::nullopt;
  }

  std::unique_ptr<CmsSimStack> stack_;
};

// ---- 1. The whole lifecycle, both dialects -------------------------------------------------

// Each dialect against both answers a service may give to a taken route segment (issue 16): 400
// with a field error (the simulator's default) or 409 Conflict naming routeSegment.
struct LifecycleCase {
  config::CmsApi api;
  int route_collision_status;
  friend void PrintTo(const LifecycleCase& c, std::ostream* out) {
    *out << (c.api == config::CmsApi::v1 ? "v1" : "version2") << ", route collision " << c.route_collision_status;
  }
};

class Lifecycle : public CmsSimTest, public ::testing::WithParamInterface<LifecycleCase> {
 protected:
  void start_case(bool approvals = false, bool verify_writes = false) {
    start([&](StackOptions& o) {
      o.api = GetParam().api;
      o.route_collision_status = GetParam().route_collision_status;
      o.approvals = approvals;
      o.verify_writes = verify_writes;
    });
  }
};

TEST_P(Lifecycle, CreateConflictUpdateDeleteUndeletePurge) {
  start_case();
  const std::string key = test_key(1);
  ASSERT_EQ(key.size(), 32u);

  // Create: the item exists with the key, published at once, with the properties sent.
  auto created = s().upsert(upsert_request(key, "First title", false));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->key, key);
  EXPECT_TRUE(created->created);
  EXPECT_EQ(created->status, cms::WriteStatus::published);
  ASSERT_FALSE(created->version.empty());
  auto item = s().cms_item(key);
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->at("contentType").as_string(), "ArticlePage");
  EXPECT_EQ(item->at("container").as_string(), sim::kCmsRootContainer);
  EXPECT_FALSE(item->contains("deleted") && !item->at("deleted").is_null());
  ASSERT_EQ(item->at("versions").as_array().size(), 1u);
  auto v1 = version_of(*item, created->version);
  ASSERT_TRUE(v1.has_value()) << json::serialize(*item);
  EXPECT_EQ(v1->at("status").as_string(), "published");
  EXPECT_EQ(v1->at("displayName").as_string(), "First title");
  // v1 sends the rich-text property as {"html": ...}; version2 as a string.
  const json::value body = GetParam().api == config::CmsApi::v1 ? json::value(json::object{{"html", "<p>Hi</p>"}})
                                                            : json::value("<p>Hi</p>");
  EXPECT_EQ(json::serialize(v1->at("properties")),
            json::serialize(json::object{{"Heading", "First title"}, {"Body", body}, {"CmpGuid", "guid-" + key}}));

  // The same key again with known=false: the create answers 409, the sink continues with a new
  // version, nothing is duplicated.
  const auto conflicts_before = s().requests_with_status(409);
  auto again = s().upsert(upsert_request(key, "Second title", false));
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->status, cms::WriteStatus::published);
  EXPECT_NE(again->version, created->version);
  EXPECT_EQ(s().requests_with_status(409), conflicts_before + 1);
  item = s().cms_item(key);
  ASSERT_TRUE(item.has_value());
  ASSERT_EQ(item->at("versions").as_array().size(), 2u);
  EXPECT_EQ(version_of(*item, again->version)->at("status").as_string(), "published");
  EXPECT_EQ(version_of(*item, again->version)->at("properties").at("Heading").as_string(), "Second title");
  EXPECT_EQ(version_of(*item, created->version)->at("status").as_string(), "previous");

  // Update (known=true): a new version, published; the one published before becomes previous.
  auto updated = s().upsert(upsert_request(key, "Third title", true, "<p>Edited</p>"));
  ASSERT_TRUE(updated.has_value()) << updated.error().message;
  EXPECT_FALSE(updated->created);
  EXPECT_EQ(updated->status, cms::WriteStatus::published);
  EXPECT_NE(updated->version, again->version);
  item = s().cms_item(key);
  ASSERT_EQ(item->at("versions").as_array().size(), 3u);
  auto v3 = version_of(*item, updated->version);
  ASSERT_TRUE(v3.has_value());
  EXPECT_EQ(v3->at("status").as_string(), "published");
  EXPECT_THAT(json::serialize(v3->at("properties").at("Body")), HasSubstr("<p>Edited</p>"));
  EXPECT_EQ(version_of(*item, again->version)->at("status").as_string(), "previous");
  EXPECT_EQ(s().cms_get_status("/content/" + key), 200);

  // Soft delete: the item is deleted, a GET without allowDeleted is 404.
  auto removed = s().remove(article(key), false);
  ASSERT_TRUE(removed.has_value()) << removed.error().message;
  EXPECT_EQ(removed->status, cms::WriteStatus::deleted);
  item = s().cms_item(key);
  ASSERT_TRUE(item.has_value());
  EXPECT_TRUE(item->contains("deleted") && !item->at("deleted").is_null()) << json::serialize(*item);
  EXPECT_EQ(s().cms_get_status("/content/" + key), 404);

  // Undelete: restored, visible again, versions kept.
  auto restored = s().undelete(article(key));
  ASSERT_TRUE(restored.has_value()) << restored.error().message;
  EXPECT_EQ(restored->status, cms::WriteStatus::restored);
  item = s().cms_item(key);
  ASSERT_TRUE(item.has_value());
  EXPECT_FALSE(item->contains("deleted") && !item->at("deleted").is_null()) << json::serialize(*item);
  EXPECT_EQ(item->at("versions").as_array().size(), 3u);
  EXPECT_EQ(s().cms_get_status("/content/" + key), 200);

  // Undelete of an item that is not deleted: done, said so.
  auto not_deleted = s().undelete(article(key));
  ASSERT_TRUE(not_deleted.has_value()) << not_deleted.error().message;
  EXPECT_EQ(not_deleted->status, cms::WriteStatus::not_deleted);

  // Permanent delete: gone.
  auto purged = s().remove(article(key), true);
  ASSERT_TRUE(purged.has_value()) << purged.error().message;
  EXPECT_EQ(purged->status, cms::WriteStatus::deleted);
  EXPECT_FALSE(s().cms_item(key).has_value());
  EXPECT_EQ(s().cms_get_status("/content/" + key), 404);

  // Deleting a missing item counts as done, soft or permanent.
  for (bool permanent : {false, true}) {
    auto absent = s().remove(article(test_key(999)), permanent);
    ASSERT_TRUE(absent.has_value()) << absent.error().message;
    EXPECT_EQ(absent->status, cms::WriteStatus::absent);
  }
  // Undelete of an item that is gone for good is a permanent error.
  auto gone = s().undelete(article(key));
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().kind, cms::CmsErrorKind::permanent);

  EXPECT_EQ(s().token_status().requests, 1u);  // one token served the whole lifecycle
}

// Issue 16: two articles whose mapping gives the same route segment in one container used to
// collide ("already in use") and dead-letter. The second is written with a segment derived from
// its content key, deterministically, and both are published.
TEST_P(Lifecycle, SameRouteSegmentInOneContainerGivesTheSecondADerivedOne) {
  start_case();
  auto first_request = upsert_request(test_key(11), "Same title", false);
  first_request.document.route_segment = "same-title";
  auto second_request = upsert_request(test_key(12), "Same title", false);
  second_request.document.route_segment = "same-title";
  auto first = s().upsert(std::move(first_request));
  ASSERT_TRUE(first.has_value()) << first.error().message;
  auto second = s().upsert(std::move(second_request));
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(first->route_segment, "same-title");
  EXPECT_EQ(second->route_segment, "same-title-" + test_key(12).substr(0, 6));
  EXPECT_EQ(second->status, cms::WriteStatus::published);
  EXPECT_TRUE(second->created);  // a 409 naming the segment is not "the key exists"
  // The simulator refused the taken segment the way this case asked, once.
  EXPECT_EQ(s().requests_with_status(GetParam().route_collision_status), 1u) << json::serialize(s().counters());

  // A new version of the first item that takes the second's derived segment: refused the same
  // way, and written with the first item's own derived segment.
  auto clash = upsert_request(test_key(11), "Same title", true);
  clash.document.route_segment = "same-title-" + test_key(12).substr(0, 6);
  auto moved = s().upsert(std::move(clash));
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  EXPECT_EQ(moved->route_segment, "same-title-" + test_key(12).substr(0, 6) + "-" + test_key(11).substr(0, 6));
  EXPECT_EQ(moved->status, cms::WriteStatus::published);
  EXPECT_EQ(s().requests_with_status(GetParam().route_collision_status), 2u);
}

// Issue 16: `publish: ready` on a content type with an approval sequence leaves the version in
// review; that is the goal reached, not a failed status change.
TEST_P(Lifecycle, ReadyOnAContentTypeWithApprovalsIsInReview) {
  start_case(/*approvals=*/true, /*verify_writes=*/true);
  auto request = upsert_request(test_key(21), "Needs approval", false);
  request.document.publish = "ready";
  auto result = s().upsert(std::move(request));
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->status, cms::WriteStatus::in_review);
  const auto item = s().cms_item(test_key(21));
  ASSERT_TRUE(item);
  EXPECT_EQ(item->at("versions").as_array().front().at("status").as_string(), "inReview");
}

INSTANTIATE_TEST_SUITE_P(BothDialects, Lifecycle,
                         ::testing::Values(LifecycleCase{config::CmsApi::version2, 400},
                                           LifecycleCase{config::CmsApi::version2, 409},
                                           LifecycleCase{config::CmsApi::v1, 400},
                                           LifecycleCase{config::CmsApi::v1, 409}),
                         [](const auto& info) {
                           return std::string(info.param.api == config::CmsApi::v1 ? "v1" : "version2") +
                                  "_route_collision_" + std::to_string(info.param.route_collision_status);
                         });

// ---- 2. Token expiry under load -------------------------------------------------------------

class TokenExpiry : public CmsSimTest, public ::testing::WithParamInterface<config::CmsApi> {};

TEST_P(TokenExpiry, TwoHundredWritesAcrossShortLivedTokensAllSucceed) {
  // Tokens live 2 s of simulated time; the client refreshes when they expire (skew 0) rather
  // than half-way, so each expiry costs exactly one token request.
  start([&](StackOptions& o) {
    o.api = GetParam();
    o.token_lifetime = 2s;
    o.refresh_skew = 0s;
  });
  constexpr int kWrites = 200;
  int advanced_s = 0;
  for (int i = 0; i < kWrites; ++i) {
    if (i > 0 && i % 10 == 0) {
      s().advance(1s);
      ++advanced_s;
    }
    const std::string key = test_key(i);
    auto outcome = s().upsert(upsert_request(key, "Title " + std::to_string(i), false));
    ASSERT_TRUE(outcome.has_value()) << "write " << i << ": " << outcome.error().message;
    EXPECT_EQ(outcome->status, cms::WriteStatus::published);
  }
  // The store holds every write, published.
  const auto stored = s().on_loop([&] { return s().cms_sim().items(); });
  ASSERT_EQ(stored.size(), static_cast<std::size_t>(kWrites));
  for (const auto& view : stored) {
    EXPECT_FALSE(view.deleted);
    EXPECT_TRUE(view.published_properties.has_value()) << view.key;
  }

  const int expiries = advanced_s / 2;  // tokens issued at t=0,2,4,... each expire 2 s later
  const auto status = s().token_status();
  const auto token_requests = s().api_count("token");
  RecordProperty("token_requests", static_cast<int>(token_requests));
  RecordProperty("expiries", expiries);
  EXPECT_EQ(status.requests, token_requests);
  EXPECT_LE(token_requests, static_cast<std::size_t>(expiries + 1))
      << "token requests " << token_requests << " for " << expiries << " expiries; 401s "
      << s().requests_with_status(401);
  EXPECT_EQ(s().requests_with_status(401), 0u);  // never sent an expired token
}

TEST_P(TokenExpiry, DefaultSkewRefreshesAtMostOncePerHalfLifetime) {
  // With the default 30 s skew capped at half the lifetime, a 2 s token is refreshed after 1 s.
  start([&](StackOptions& o) {
    o.api = GetParam();
    o.token_lifetime = 2s;
  });
  for (int i = 0; i < 100; ++i) {
    if (i > 0 && i % 10 == 0) s().advance(1s);
    auto outcome = s().upsert(upsert_request(test_key(i), "T", false));
    ASSERT_TRUE(outcome.has_value()) << "write " << i << ": " << outcome.error().message;
  }
  EXPECT_LE(s().api_count("token"), 10u);  // 9 advances of 1 s = one refresh each, + the first
  EXPECT_EQ(s().requests_with_status(401), 0u);
}

TEST_P(TokenExpiry, TokensRevokedByTheServiceAreReplacedOnce) {
  start([&](StackOptions& o) { o.api = GetParam(); });
  ASSERT_TRUE(s().upsert(upsert_request(test_key(1), "T", false)).has_value());
  s().on_loop([&] {
    s().cms_sim().expire_all_tokens();
    return 0;
  });
  auto outcome = s().upsert(upsert_request(test_key(2), "T", false));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(s().api_count("token"), 2u);
  EXPECT_EQ(s().requests_with_status(401), 1u);  // the one 401 that invalidated the token
}

INSTANTIATE_TEST_SUITE_P(BothDialects, TokenExpiry, ::testing::Values(config::CmsApi::version2, config::CmsApi::v1),
                         [](const auto& info) { return info.param == config::CmsApi::v1 ? "v1" : "version2"; });

// ---- 3. Rejected credentials ----------------------------------------------------------------

TEST_F(CmsSimTest, WrongSecretIsAnAuthErrorUntilResetWithTheRightOne) {
  start([&](StackOptions& o) { o.client_secret = "not-the-secret"; });
  auto failed = s().upsert(upsert_request(test_key(1), "T", false));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, cms::CmsErrorKind::auth);
  EXPECT_THAT(failed.error().message, Not(HasSubstr("not-the-secret")));
  auto status = s().token_status();
  EXPECT_EQ(status.state, cms::TokenSource::State::auth_failed);
  EXPECT_THAT(status.reason, HasSubstr("invalid_client"));
  EXPECT_THAT(status.reason, Not(HasSubstr("not-the-secret")));
  EXPECT_EQ(status.requests, 1u);

  // Within auth_retry_interval nothing reaches the endpoint again.
  auto still = s().upsert(upsert_request(test_key(1), "T", false));
  ASSERT_FALSE(still.has_value());
  EXPECT_EQ(still.error().kind, cms::CmsErrorKind::auth);
  EXPECT_EQ(s().api_count("token"), 1u);
  EXPECT_EQ(s().api_count("cms"), 0u);
  EXPECT_FALSE(s().cms_item(test_key(1)).has_value());

  // SIGHUP with the fixed secret: reset(options), and the next write goes through.
  s().on_loop([&] {
    s().tokens().reset(s().token_options(kClientSecret));
    return 0;
  });
  auto ok = s().upsert(upsert_request(test_key(1), "T", false));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_TRUE(ok->created);
  EXPECT_EQ(s().token_status().state, cms::TokenSource::State::valid);
  EXPECT_TRUE(s().cms_item(test_key(1)).has_value());
}

TEST_F(CmsSimTest, CredentialsFixedOnTheServiceSideWorkAfterReset) {
  start([&](StackOptions& o) { o.client_secret = "rotated-secret"; });
  auto failed = s().upsert(upsert_request(test_key(1), "T", false));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, cms::CmsErrorKind::auth);
  EXPECT_EQ(s().token_status().state, cms::TokenSource::State::auth_failed);

  s().on_loop([&] {
    s().cms_sim().set_credentials({{kClientId, "rotated-secret"}});
    s().tokens().reset();
    return 0;
  });
  auto ok = s().upsert(upsert_request(test_key(1), "T", false));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(s().token_status().state, cms::TokenSource::State::valid);
  EXPECT_TRUE(s().cms_item(test_key(1)).has_value());
}

// ---- 5. Read-back catches dropped properties ------------------------------------------------

class ReadBack : public CmsSimTest, public ::testing::WithParamInterface<config::CmsApi> {};

TEST_P(ReadBack, DroppedPropertiesArePermanentErrorsNamingThem) {
  start([&](StackOptions& o) {
    o.api = GetParam();
    o.verify_writes = true;
  });
  // Verification passes on an honest write.
  auto good = s().upsert(upsert_request(test_key(1), "Good", false));
  ASSERT_TRUE(good.has_value()) << good.error().message;

  s().on_loop([&] {
    s().cms_sim().drop_properties_next_n(1);
    return 0;
  });
  auto dropped = s().upsert(upsert_request(test_key(2), "Dropped", false));
  ASSERT_FALSE(dropped.has_value());
  EXPECT_EQ(dropped.error().kind, cms::CmsErrorKind::permanent);
  EXPECT_THAT(dropped.error().message, HasSubstr("Heading"));
  EXPECT_THAT(dropped.error().message, HasSubstr("Body"));
  EXPECT_THAT(dropped.error().message, HasSubstr(test_key(2)));
  // The simulator did accept the write, without the properties: what the check guards against.
  auto item = s().cms_item(test_key(2));
  ASSERT_TRUE(item.has_value());
  EXPECT_TRUE(item->at("versions").at(0).at("properties").as_object().empty()) << json::serialize(*item);

  // The quirk was one write only: a retry of the same article now verifies.
  auto retried = s().upsert(upsert_request(test_key(2), "Dropped", true));
  ASSERT_TRUE(retried.has_value()) << retried.error().message;
}

INSTANTIATE_TEST_SUITE_P(BothDialects, ReadBack, ::testing::Values(config::CmsApi::version2, config::CmsApi::v1),
                         [](const auto& info) { return info.param == config::CmsApi::v1 ? "v1" : "version2"; });

// ---- 6. Canonical-link post-back ------------------------------------------------------------

TEST_F(CmsSimTest, CanonicalLinkIsRecordedAndForeignHostsAreRejected) {
  start([&](StackOptions& o) { o.allowed_domains = {"example.com"}; });
  const std::string pixel_key = s().on_loop([&] {
    auto added = s().simulator().store().add(s().simulator().options().feed_id, json::object{{"guid", "canon1"}});
    if (!added) throw std::runtime_error(added.error().message);
    return (*added)->pixel_key;
  });
  ASSERT_FALSE(pixel_key.empty());

  const std::string url = "https://www.example.com/en/hello-world?a=1&b=c%20d";
  auto posted = s().post_canonical({article(test_key(1)), url, pixel_key});
  ASSERT_TRUE(posted.has_value()) << posted.error().message;
  EXPECT_EQ(posted->status, 200);
  const auto records = s().on_loop([&] { return s().simulator().feed_api().canonical_records(); });
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].guid, "canon1");
  EXPECT_EQ(records[0].pixel_key, pixel_key);
  EXPECT_EQ(records[0].canonical_link, url);  // percent-encoding survived the round trip

  auto foreign = s().post_canonical({article(test_key(1)), "https://elsewhere.test/en/hello", pixel_key});
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().kind, cms::CmsErrorKind::permanent);
  EXPECT_THAT(foreign.error().message, HasSubstr("allowed domains"));
  EXPECT_EQ(s().on_loop([&] { return s().simulator().feed_api().canonical_records().size(); }), 1u);
}

}  // namespace
}  // namespace feedsync::integration
