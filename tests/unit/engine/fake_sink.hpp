#pragma once
// A CmsSink that records every call and answers from per-operation scripts (then a default
// success). Calls can take time (`latency`, on a timer of `time`), so concurrency is observable.

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include <stdexcept>

#include <boost/asio/this_coro.hpp>

#include "cms/cms_sink.hpp"
#include "net/time_system.hpp"

namespace feedsync::testing {

class FakeSink final : public cms::CmsSink {
 public:
  struct Call {
    std::string op;  // upsert | undelete | remove | remove_locale (its locale in document.locale)
    cms::ArticleRef article;
    bool known = false;      // upsert
    bool permanent = false;  // remove
    ArticleDocument document;  // upsert
    SteadyTime at{};  // time->steady_now() when the call began (with a time system)
  };

  std::deque<cms::CmsResult> upsert_script, undelete_script, remove_script;
  cms::WriteStatus upsert_status = cms::WriteStatus::published;  // of default successful upserts
  std::chrono::milliseconds latency{0};
  net::TimeSystem* time = nullptr;  // makes the latency's timers; needed when latency > 0

  const std::vector<Call>& calls() const { return calls_; }
  std::size_t max_in_flight() const { return max_in_flight_; }

  static cms::CmsResult error(cms::CmsErrorKind kind, int status, std::string message, bool transport = false) {
    cms::CmsError e;
    e.kind = kind;
    e.status = status;
    e.message = std::move(message);
    e.transport = transport;
    return unexpected(std::move(e));
  }

  boost::asio::awaitable<cms::CmsResult> upsert(cms::UpsertRequest request) override {
    calls_.push_back({"upsert", request.article, request.known, false, request.document, now()});
    cms::WriteOutcome ok{request.article.key, "v" + std::to_string(++versions_), request.document.route_segment,
                         upsert_status, !request.known,
                         upsert_status == cms::WriteStatus::scheduled ? request.document.publish_at_ms : std::nullopt};
    auto result = co_await answer(upsert_script, std::move(ok));
    co_return result;
  }
  boost::asio::awaitable<cms::CmsResult> undelete(cms::ArticleRef article) override {
    calls_.push_back({"undelete", article, false, false, {}, now()});
    cms::WriteOutcome ok{article.key, "", std::nullopt, cms::WriteStatus::restored, false, std::nullopt};
    auto result = co_await answer(undelete_script, std::move(ok));
    co_return result;
  }
  boost::asio::awaitable<cms::CmsResult> remove(cms::ArticleRef article, bool permanent) override {
    calls_.push_back({"remove", article, false, permanent, {}, now()});
    cms::WriteOutcome ok{article.key, "", std::nullopt, cms::WriteStatus::deleted, false, std::nullopt};
    auto result = co_await answer(remove_script, std::move(ok));
    co_return result;
  }
  boost::asio::awaitable<cms::CmsResult> remove_locale(cms::ArticleRef article, std::string locale) override {
    Call call{"remove_locale", article, false, false, {}, now()};
    call.document.locale = std::move(locale);  // the locale asked for
    calls_.push_back(std::move(call));
    cms::WriteOutcome ok{article.key, "", std::nullopt, cms::WriteStatus::deleted, false, std::nullopt};
    auto result = co_await answer(remove_script, std::move(ok));
    co_return result;
  }

 private:
  SteadyTime now() const { return time ? time->steady_now() : SteadyTime{}; }

  boost::asio::awaitable<cms::CmsResult> answer(std::deque<cms::CmsResult>& script, cms::WriteOutcome ok) {
    ++in_flight_;
    max_in_flight_ = std::max(max_in_flight_, in_flight_);
    if (latency.count() > 0) {
      if (time == nullptr) throw std::logic_error("FakeSink: a latency needs a time system");
      auto timer = time->make_timer(co_await boost::asio::this_coro::executor);
      co_await timer->wait_for(latency);
    }
    --in_flight_;
    if (script.empty()) co_return cms::CmsResult(std::move(ok));
    auto result = std::move(script.front());
    script.pop_front();
    co_return result;
  }

  std::vector<Call> calls_;
  int versions_ = 0;
  std::size_t in_flight_ = 0, max_in_flight_ = 0;
};

}  // namespace feedsync::testing
