#pragma once
// The pending canonical check (issue 19): articles feedsync left unpublished in the CMS
// (publish: draft | ready, a review, a scheduled time) go live later, when an editor publishes
// them or their time passes, and CMP must still be told where they live. Every
// canonical.pending_check_interval this loop asks the CMS, one listing per waiting article
// (PublishedVersionSource, through the CMS HTTP stack and so within cms.rate_limit), whether a
// version of the article's locale is published; for one that is, it records cms_status
// "published" and the live route segment and queues the canonical op exactly as the relay does
// after its own publish (after_published_check), in one store transaction. The relay posts it,
// retries it and records it.
//
// Single-threaded (DESIGN.md §3): run() on the daemon's io_context; the rules are in
// pending_canonical_rules.hpp.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "engine/pending_canonical_rules.hpp"
#include "net/time_system.hpp"

namespace feedsync::cms { class PublishedVersionSource; }
namespace feedsync::store { class Store; }

namespace feedsync::engine {

struct PendingCheckOptions {
  std::chrono::milliseconds interval{std::chrono::minutes(5)};  // canonical.pending_check_interval
  bool canonical_enabled = true;
  std::string url_template;
  // The CMS locale of a feed's articles (feeds[].locale); nullopt: the feed is no longer
  // configured, its articles are not asked about.
  std::function<std::optional<std::string>(std::string_view feed)> locale_of;
  std::size_t max_per_round = 1000;  // articles read from the store per round
  // A canonical op was queued: wake the relay.
  std::function<void()> on_queued;
};

class PendingCanonicalCheck {
 public:
  PendingCanonicalCheck(boost::asio::any_io_executor executor, store::Store& store,
                        cms::PublishedVersionSource& cms, net::TimeSystem& time, PendingCheckOptions options);
  PendingCanonicalCheck(const PendingCanonicalCheck&) = delete;
  PendingCanonicalCheck& operator=(const PendingCanonicalCheck&) = delete;

  // Rounds until stop(); a round asks about every due article, then the loop sleeps until the
  // next one is due (at most the interval). Returns at once when canonical links are off.
  boost::asio::awaitable<void> run();
  void stop();
  // A CMS webhook said an item was published (issue 19): the article with this CMS key is asked
  // about in a round that starts now, whatever its schedule; without a key, every waiting
  // article is. Requests during a round go into the next one, which then starts at once; a key
  // of no waiting article is dropped with that round.
  void request(std::optional<std::string> cms_key);
  // The relay wrote a scheduled version of the article that goes live at `publish_at` (unix ms):
  // the loop wakes to take that time into its schedule, so the article is asked about shortly
  // after it (kAfterScheduledTime) rather than at the next interval. The write counts as a look:
  // the CMS has just said the version is scheduled.
  void note_scheduled(std::string feed, std::string guid);
  // One round; returns how many articles were found published.
  boost::asio::awaitable<std::size_t> check_due_articles();

 private:
  using ArticleId = std::pair<std::string, std::string>;  // feed, guid
  boost::asio::awaitable<bool> check(store::ArticleRow row, std::string locale);
  bool record_published(const store::ArticleRow& asked, const PublishedVersion& published, std::string locale);
  std::chrono::milliseconds sleep_after_round() const;
  std::int64_t now_ms() const;

  store::Store& store_;
  cms::PublishedVersionSource& cms_;
  net::TimeSystem& clock_;
  PendingCheckOptions options_;
  std::unique_ptr<net::Timer> timer_;
  std::map<ArticleId, CheckState> states_;  // the articles waiting at the last round
  std::set<std::string, std::less<>> requested_;  // CMS keys asked about by webhooks
  std::map<ArticleId, std::int64_t> scheduled_;    // note_scheduled since the last round, and when
  bool requested_all_ = false;
  bool stopping_ = false;
};

}  // namespace feedsync::engine
