#include "engine/pending_canonical_check.hpp"

#include <algorithm>
#include <utility>

#include "cms/cms_sink.hpp"
#include "core/outbox_payload.hpp"
#include "log/log.hpp"
#include "store/store.hpp"

namespace feedsync::engine {
namespace asio = boost::asio;
using std::chrono::milliseconds;

PendingCanonicalCheck::PendingCanonicalCheck(asio::any_io_executor executor, store::Store& store,
                                             cms::PublishedVersionSource& cms, net::TimeSystem& time,
                                             PendingCheckOptions options)
    : store_(store), cms_(cms), clock_(time), options_(std::move(options)), timer_(time.make_timer(executor)) {}

void PendingCanonicalCheck::stop() {
  stopping_ = true;
  timer_->cancel();
}

void PendingCanonicalCheck::request(std::optional<std::string> cms_key) {
  if (cms_key) requested_.insert(std::move(*cms_key));
  else requested_all_ = true;
  timer_->cancel();  // a sleeping loop starts a round now; a round in flight is followed by one
}

void PendingCanonicalCheck::note_scheduled(std::string feed, std::string guid) {
  scheduled_[ArticleId{std::move(feed), std::move(guid)}] = now_ms();
  timer_->cancel();  // a sleeping loop recomputes its wait; a round in flight is followed by one
}

std::int64_t PendingCanonicalCheck::now_ms() const {
  return std::chrono::duration_cast<milliseconds>(clock_.system_now().time_since_epoch()).count();
}

asio::awaitable<void> PendingCanonicalCheck::run() {
  if (!options_.canonical_enabled) co_return;
  while (!stopping_) {
    try {
      co_await check_due_articles();
    } catch (const std::exception& e) {  // the store failed: try again next round
      log::error("pending canonical check failed", {{"error", e.what()}});
    }
    if (stopping_) break;
    // Requests that came during the round: the next one starts at once (the wait still yields).
    const bool requested = requested_all_ || !requested_.empty() || !scheduled_.empty();
    co_await timer_->wait_for(requested ? milliseconds(0) : std::max(sleep_after_round(), milliseconds(1)));
  }
}

milliseconds PendingCanonicalCheck::sleep_after_round() const {
  std::vector<CheckState> states;
  states.reserve(states_.size());
  for (const auto& [id, state] : states_) {
    // Never asked: an article of a feed no longer configured, which is not asked about.
    if (state.last_checked) states.push_back(state);
  }
  const auto next = next_check_at(states, options_.interval);
  if (!next) return options_.interval;
  return std::min(options_.interval, milliseconds(std::max<std::int64_t>(*next - now_ms(), 0)));
}

asio::awaitable<std::size_t> PendingCanonicalCheck::check_due_articles() {
  auto rows = store_.articles_with_cms_status(pending_cms_statuses(), options_.max_per_round);
  // This round's webhook requests; later ones wait for the next round.
  const auto requested = std::exchange(requested_, {});
  const bool requested_all = std::exchange(requested_all_, false);
  const auto scheduled = std::exchange(scheduled_, {});
  std::map<ArticleId, CheckState> waiting;
  std::size_t found = 0;
  for (auto& row : rows) {
    if (stopping_) break;
    if (!awaits_publication(row)) continue;
    ArticleId id{row.feed, row.guid};
    auto known = states_.find(id);
    CheckState state = known == states_.end() ? CheckState{} : known->second;
    if (auto written = scheduled.find(id); written != scheduled.end()) state.last_checked = written->second;
    state.publish_at = row.publish_at;  // what the relay last wrote: set only while scheduled
    // A translation (translations: group) knows its own locale; other articles take the feed's.
    const auto locale = row.locale ? row.locale : options_.locale_of ? options_.locale_of(row.feed) : std::nullopt;
    const bool asked = requested_all || requested.contains(row.cms_key);
    if (locale && (asked || check_due(state, now_ms(), options_.interval))) {
      state.last_checked = now_ms();
      if (co_await check(std::move(row), *locale)) {
        ++found;
        continue;
      }
    }
    waiting.emplace(std::move(id), state);
  }
  states_ = std::move(waiting);
  co_return found;
}

// Asks the CMS about one article; true when it was found published and recorded.
asio::awaitable<bool> PendingCanonicalCheck::check(store::ArticleRow row, std::string locale) {
  const cms::ArticleRef ref{row.feed, row.guid, row.cms_key};
  auto answer = co_await cms_.published_version(ref, locale);
  if (!answer) {
    log::warn("pending canonical check: the CMS lookup failed; asking again next round",
              {{"feed", row.feed}, {"guid", row.guid}, {"cms_key", row.cms_key}, {"error", answer.error().message}});
    co_return false;
  }
  if (!answer->has_value()) co_return false;
  co_return record_published(row, PublishedVersion{(*answer)->version, (*answer)->route_segment}, std::move(locale));
}

bool PendingCanonicalCheck::record_published(const store::ArticleRow& asked, const PublishedVersion& published,
                                             std::string locale) {
  const std::int64_t now = now_ms();
  const CanonicalRule rule{options_.canonical_enabled, options_.url_template};
  auto transaction = store_.transaction();
  // The row as the commit sees it: its meta_url is the one the relay last wrote.
  auto row = store_.article(asked.feed, asked.guid);
  auto link = canonical_vars(std::move(locale), asked.cms_key, asked.guid, row ? row->meta_url : std::nullopt);
  auto after = after_published_check(std::move(row), published, std::move(link), rule, now);
  if (!after.row) return false;
  store_.upsert_article(*after.row);
  if (after.canonical_error) {
    store_.append_journal(now, asked.feed, asked.guid, store::JournalAction::canonical_skipped, *after.canonical_error);
  }
  std::optional<std::string> holder;
  if (after.canonical) holder = store_.canonical_holder(after.canonical->pixel_key, asked.feed, asked.guid);
  if (after.canonical && !holder) store_.enqueue(canonical_op(asked.feed, asked.guid, *after.canonical), now);
  transaction.commit();
  log::info("article published in the CMS since feedsync wrote it",
            {{"feed", asked.feed}, {"guid", asked.guid}, {"cms_key", asked.cms_key}, {"version", published.version}});
  if (after.canonical && !holder && options_.on_queued) options_.on_queued();
  return true;
}

}  // namespace feedsync::engine
