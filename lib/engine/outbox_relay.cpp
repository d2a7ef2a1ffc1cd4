#include "engine/outbox_relay.hpp"

#include <algorithm>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cms/canonical_client.hpp"
#include "cms/canonical_url.hpp"
#include "cms/cms_sink.hpp"
#include "cms/token_source.hpp"
#include "engine/outbox_payload.hpp"
#include "log/log.hpp"
#include "store/store.hpp"

namespace feedsync::engine {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// How long the dispatcher sleeps at most between looks at the store: a bound on how late it
// notices a clock jump or a `retry` from the CLI (which cannot wake() it).
constexpr milliseconds kMaxIdleSleep{1000};

asio::awaitable<void> sleep_on(asio::steady_timer& timer, milliseconds duration) {
  timer.expires_after(std::max(duration, milliseconds(0)));
  boost::system::error_code ec;  // cancelled = woken early
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

std::string version_detail(const cms::WriteOutcome& outcome) {
  std::string detail = "cms_key " + outcome.key;
  if (!outcome.version.empty()) detail += " version " + outcome.version;
  if (!outcome.status.empty()) detail += " status " + outcome.status;
  return detail;
}

}  // namespace

OutboxRelay::OutboxRelay(asio::any_io_executor executor, store::Store& store, cms::CmsSink& sink,
                         cms::CanonicalClient& canonical, const cms::TokenSource* tokens,
                         const Clock& clock, RelayOptions options)
    : executor_(executor),
      store_(store),
      sink_(sink),
      canonical_(canonical),
      tokens_(tokens),
      clock_(clock),
      options_(std::move(options)),
      random_(options_.seed),
      wake_timer_(executor),
      idle_timer_(executor) {
  options_.max_in_flight = std::max<std::size_t>(options_.max_in_flight, 1);
}

OutboxRelay::~OutboxRelay() = default;

void OutboxRelay::set_canonical(bool enabled, std::string url_template) {
  options_.canonical_enabled = enabled;
  options_.url_template = std::move(url_template);
}

void OutboxRelay::set_max_in_flight(std::size_t max_in_flight) {
  options_.max_in_flight = std::max<std::size_t>(max_in_flight, 1);
  wake();
}

void OutboxRelay::wake() { wake_timer_.cancel(); }

void OutboxRelay::stop() {
  stopping_ = true;
  wake();
}

void OutboxRelay::notify_changed() {
  wake_timer_.cancel();
  idle_timer_.cancel();
}

std::int64_t OutboxRelay::now_ms() const {
  return std::chrono::duration_cast<milliseconds>(clock_.system_now().time_since_epoch()).count();
}

std::optional<std::chrono::steady_clock::time_point> OutboxRelay::writes_blocked_until() const {
  if (tokens_ == nullptr) return std::nullopt;
  const auto status = tokens_->status();
  if (status.state != cms::TokenSource::State::auth_failed) return std::nullopt;
  if (!status.next_attempt_at || *status.next_attempt_at <= clock_.steady_now()) return std::nullopt;
  return status.next_attempt_at;
}

milliseconds OutboxRelay::backoff(std::int64_t attempts) {
  // Full jitter (DESIGN.md §4): uniform in [base/2, min(cap, base * 2^(attempts-1))], so
  // failing ops spread out instead of retrying in lockstep, and never spin at zero delay.
  const auto exponent = std::clamp<std::int64_t>(attempts - 1, 0, 30);
  const auto ceiling = std::min<std::int64_t>(options_.max_backoff.count(),
                                              options_.base_backoff.count() << exponent);
  const auto floor = std::min<std::int64_t>(options_.base_backoff.count() / 2, ceiling);
  std::uniform_int_distribution<std::int64_t> pick(floor, std::max(floor, ceiling));
  return milliseconds(pick(random_));
}

asio::awaitable<RelayExit> OutboxRelay::run(RunOptions run) {
  stopping_ = false;
  for (;;) {
    if (stopping_) co_return RelayExit::stopped;
    if (run.deadline && clock_.steady_now() >= *run.deadline) co_return RelayExit::deadline;

    const auto blocked = writes_blocked_until();
    if (blocked && run.until_empty && active_ == 0) co_return RelayExit::auth_failed;
    std::size_t claimed = 0;
    if (!blocked && active_ < options_.max_in_flight) {
      // While the credentials are in doubt (auth_failed, retry due), one op probes them.
      const bool probing = tokens_ != nullptr && tokens_->status().state == cms::TokenSource::State::auth_failed;
      const std::size_t limit = probing ? (active_ == 0 ? 1 : 0) : options_.max_in_flight - active_;
      if (limit > 0) {
        auto ops = store_.claim_due(now_ms(), limit);
        claimed = ops.size();
        for (auto& op : ops) spawn(std::move(op));
      }
    }
    if (claimed > 0) continue;  // there may be more due

    if (run.until_empty && active_ == 0) {
      const auto stats = store_.outbox_stats();
      if (stats.total.pending == 0 && stats.total.inflight == 0) co_return RelayExit::drained;
    }
    // Sleep until an op completes, wake() is called, the next op is due, or the token source
    // allows another attempt.
    milliseconds sleep = kMaxIdleSleep;
    if (blocked) {
      sleep = std::min(sleep, std::chrono::ceil<milliseconds>(*blocked - clock_.steady_now()));
    } else if (active_ < options_.max_in_flight) {
      if (auto due = store_.next_due()) sleep = std::min(sleep, milliseconds(*due - now_ms()));
    }
    if (run.deadline) {
      sleep = std::min(sleep, std::chrono::ceil<milliseconds>(*run.deadline - clock_.steady_now()));
    }
    if (sleep.count() > 0) co_await sleep_on(wake_timer_, sleep);
  }
}

asio::awaitable<bool> OutboxRelay::wait_idle(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (active_ > 0) {
    const auto left = std::chrono::ceil<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) co_return false;
    co_await sleep_on(idle_timer_, left);
  }
  co_return true;
}

void OutboxRelay::spawn(store::OutboxOp op) {
  ++active_;
  asio::co_spawn(executor_, process(std::move(op)), [this](std::exception_ptr error) {
    --active_;
    notify_changed();
    // An exception here is a bug (expected failures are values); say so rather than lose it.
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log::critical("outbox op failed unexpectedly; it stays in flight until the next start",
                      {{"error", e.what()}});
      }
    }
  });
}

asio::awaitable<void> OutboxRelay::process(store::OutboxOp op) {
  try {
    switch (op.op) {
      case store::OpKind::upsert:
      case store::OpKind::undelete:
        co_await process_content(std::move(op));
        break;
      case store::OpKind::delete_:
        co_await process_delete(std::move(op));
        break;
      case store::OpKind::canonical:
        co_await process_canonical(std::move(op));
        break;
    }
  } catch (const store::StoreError& e) {
    // The store failed while recording an outcome: the op stays in flight and the next start
    // requeues it; the CMS side is idempotent (deterministic keys), so nothing is lost.
    log::error("cannot record an outbox outcome in the state store",
               {{"feed", op.feed}, {"guid", op.guid}, {"op", std::string(store::to_string(op.op))},
                {"error", e.what()}});
  }
}

asio::awaitable<void> OutboxRelay::process_content(store::OutboxOp op) {
  auto payload = decode_upsert(op.payload);
  if (!payload) {
    dead_letter(op, payload.error());
    co_return;
  }
  const auto* key_value = payload->document.if_contains("key");
  const std::string key = key_value && key_value->is_string() ? std::string(key_value->get_string()) : "";
  if (key.empty()) {
    dead_letter(op, "outbox payload document has no \"key\"");
    co_return;
  }
  const cms::ArticleRef ref{op.feed, op.guid, key};
  const auto before = store_.article(op.feed, op.guid);
  bool known = before && before->cms_version.has_value();

  const bool undelete = op.op == store::OpKind::undelete;
  if (undelete) {
    auto restored = co_await sink_.undelete(ref);
    if (!restored) {
      // 404: the item is gone for good (permanently deleted): the article is created afresh.
      if (restored.error().kind != cms::CmsErrorKind::permanent || restored.error().status != 404) {
        fail(op, restored.error());
        co_return;
      }
      known = false;
    }
  }
  // GCC 12: no temporaries inside a co_await full-expression (DESIGN.md §3).
  cms::UpsertRequest request{ref, payload->document, known};
  auto written = co_await sink_.upsert(std::move(request));
  if (!written) {
    fail(op, written.error());
    co_return;
  }

  // The row may have changed while the CMS call was out (a poll recorded a newer change): take
  // the current one and set only what this write decided.
  auto row = store_.article(op.feed, op.guid);
  std::optional<CanonicalPayload> canonical;
  const std::int64_t now = now_ms();
  auto tx = store_.transaction();
  if (row) {
    row->cms_version = written->version;
    if (written->route_segment) row->route_segment = written->route_segment;
    row->updated_at = now;
    store_.upsert_article(*row);
    if (options_.canonical_enabled && written->status == "published" && row->pixel_key) {
      const auto* locale = payload->document.if_contains("locale");
      cms::CanonicalVars vars{locale && locale->is_string() ? std::string(locale->get_string()) : "",
                              written->route_segment.value_or(""), key, op.guid,
                              payload->meta_url.value_or("")};
      auto url = cms::render_canonical_url(options_.url_template, vars);
      if (!url) {
        log::error("canonical URL cannot be built; CMP is not told where the article lives",
                   {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", key}, {"error", url.error()}});
        store_.append_journal(now, op.feed, op.guid, "canonical-skipped", url.error());
      } else if (row->canonical_url != *url) {
        canonical = CanonicalPayload{*url, *row->pixel_key};
      }
    }
  }
  store_.complete(op.id);
  const char* action = undelete ? "undeleted" : (written->created ? "created" : "updated");
  store_.append_journal(now, op.feed, op.guid, action, version_detail(*written));
  if (canonical) {
    store::OutboxOp next;
    next.feed = op.feed;
    next.guid = op.guid;
    next.op = store::OpKind::canonical;
    next.payload = encode(*canonical);
    next.payload_hash = canonical->url;
    store_.enqueue(next, now);
  }
  tx.commit();

  if (undelete) {
    ++stats_.undeleted;
  } else if (written->created) {
    ++stats_.created;
  } else {
    ++stats_.updated;
  }
  log::debug(std::string("article ") + action,
             {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", key}, {"version", written->version},
              {"status", written->status}});
}

asio::awaitable<void> OutboxRelay::process_delete(store::OutboxOp op) {
  auto payload = decode_delete(op.payload);
  if (!payload) {
    dead_letter(op, payload.error());
    co_return;
  }
  const cms::ArticleRef ref{op.feed, op.guid, payload->key};
  auto removed = co_await sink_.remove(ref, payload->permanent);
  if (!removed) {
    fail(op, removed.error());
    co_return;
  }
  const std::int64_t now = now_ms();
  auto tx = store_.transaction();
  store_.complete(op.id);
  store_.append_journal(now, op.feed, op.guid, payload->permanent ? "purged" : "deleted",
                        version_detail(*removed));
  tx.commit();
  ++stats_.deleted;
  log::debug("article deleted", {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", payload->key},
                                 {"status", removed->status}});
}

asio::awaitable<void> OutboxRelay::process_canonical(store::OutboxOp op) {
  auto payload = decode_canonical(op.payload);
  if (!payload) {
    dead_letter(op, payload.error());
    co_return;
  }
  const auto row = store_.article(op.feed, op.guid);
  const cms::ArticleRef ref{op.feed, op.guid, row ? row->cms_key : ""};
  cms::CanonicalPost post{ref, payload->url, payload->pixel_key};
  auto posted = co_await canonical_.post(std::move(post));
  if (!posted) {
    fail(op, posted.error());
    co_return;
  }
  const std::int64_t now = now_ms();
  auto current = store_.article(op.feed, op.guid);
  auto tx = store_.transaction();
  if (current) {
    current->canonical_url = payload->url;
    current->updated_at = now;
    store_.upsert_article(*current);
  }
  store_.complete(op.id);
  store_.append_journal(now, op.feed, op.guid, "canonical-posted", payload->url);
  tx.commit();
  ++stats_.canonical_posted;
  log::debug("canonical link posted", {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", ref.key},
                                       {"url", payload->url}});
}

void OutboxRelay::fail(const store::OutboxOp& op, const cms::CmsError& error) {
  const std::int64_t now = now_ms();
  const std::string op_name(store::to_string(op.op));
  switch (error.kind) {
    case cms::CmsErrorKind::cancelled:
      return;  // shutdown: the op stays in flight and the next start requeues it
    case cms::CmsErrorKind::auth:
      // Not the article's fault: keep its turn; the gate in run() holds every write back.
      store_.retry_later(op.id, tokens_ != nullptr ? now : now + backoff(op.attempts).count(), error.message);
      log::error("CMS write refused for want of a usable token; writes pause until it recovers",
                 {{"feed", op.feed}, {"guid", op.guid}, {"op", op_name}, {"error", error.message}});
      return;
    case cms::CmsErrorKind::permanent:
      if (!error.transport) {
        dead_letter(op, error.message);
        return;
      }
      [[fallthrough]];  // no HTTP answer at all: the origin's trouble, retried like a 5xx
    case cms::CmsErrorKind::retryable: {
      const auto delay = backoff(op.attempts);
      store_.retry_later(op.id, now + delay.count(), error.message);
      ++stats_.retried;
      log::warn("CMS call failed; retrying later",
                {{"feed", op.feed}, {"guid", op.guid}, {"op", op_name},
                 {"attempt", std::to_string(op.attempts)}, {"retry_in_ms", std::to_string(delay.count())},
                 {"error", error.message}});
      return;
    }
  }
}

void OutboxRelay::dead_letter(const store::OutboxOp& op, const std::string& message) {
  const std::int64_t now = now_ms();
  auto tx = store_.transaction();
  store_.dead_letter(op.id, message);
  store_.append_journal(now, op.feed, op.guid, "dead-lettered",
                        std::string(store::to_string(op.op)) + ": " + message);
  tx.commit();
  ++stats_.dead_lettered;
  log::error("CMS operation dead-lettered; fix the cause, then feedsyncd retry",
             {{"feed", op.feed}, {"guid", op.guid}, {"op", std::string(store::to_string(op.op))},
              {"error", message}});
}

}  // namespace feedsync::engine
