// Scheduled publishing's clean-up step of RestCmsSink::upsert. Every change of an article is a
// new CMS version, but a version scheduled earlier stays scheduled: left alone, it would publish
// the old content at its (old) time, over the version just written. So after writing a version of
// a feed that schedules, the other versions of that locale still scheduled go back to draft.
//
// Also the pending canonical check's lookup (issue 19): is a version of the locale published now?

#include "cms/problem_details.hpp"
#include "cms/rest_sink.hpp"
#include "log/log.hpp"

namespace feedsync::cms {
namespace asio = boost::asio;

std::int64_t RestCmsSink::now_ms() const {
  static const SystemClock system;
  const Clock& clock = options_.clock ? *options_.clock : system;
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.system_now().time_since_epoch()).count();
}

asio::awaitable<Expected<int, CmsError>> RestCmsSink::cancel_other_schedules(Payload payload, std::string keep,
                                                                             ArticleRef article) {
  net::Request list = dialect_->list_versions(payload.key, payload.locale, "scheduled");
  const std::string ctx = context("scheduled version lookup", article, list);
  auto reply = co_await transport_.send(std::move(list), ctx);
  if (!reply) co_return unexpected(std::move(reply.error()));
  if (reply->status < 200 || reply->status > 299) co_return unexpected(error_from_response(*reply, ctx));

  int cancelled = 0;
  for (const auto& record : listed_versions(reply->body, payload.locale, dialect_->wrapped_properties())) {
    // A service that ignores the statuses filter lists everything: only scheduled ones count.
    if (record.version == keep || record.status != "scheduled") continue;
    net::Request request = dialect_->transition(payload, record.version, "draft");
    const std::string step = context("cancel of an older schedule", article, request);
    auto done = co_await transport_.send(std::move(request), step);
    if (!done) co_return unexpected(std::move(done.error()));
    // 404: deleted meanwhile; gone is as good as unscheduled.
    if (done->status != 404 && (done->status < 200 || done->status > 299))
      co_return unexpected(error_from_response(*done, step));
    ++cancelled;
    log::info("older scheduled version set back to draft",
              {{"feed", article.feed}, {"guid", article.guid}, {"cms_key", article.key}, {"version", record.version}});
  }
  co_return cancelled;
}

asio::awaitable<PublishedResult> RestCmsSink::published_version(ArticleRef article, std::string locale) {
  net::Request list = dialect_->list_versions(article.key, locale, "published");
  const std::string ctx = context("published version lookup", article, list);
  auto reply = co_await transport_.send(std::move(list), ctx);
  if (!reply) co_return unexpected(std::move(reply.error()));
  if (reply->status == 404) co_return std::optional<PublishedVersionInfo>{};
  if (reply->status < 200 || reply->status > 299) co_return unexpected(error_from_response(*reply, ctx));
  // A service that ignores the statuses filter lists everything: only a published one counts.
  for (auto& record : listed_versions(reply->body, locale, dialect_->wrapped_properties())) {
    if (record.status == "published")
      co_return std::optional<PublishedVersionInfo>{PublishedVersionInfo{record.version, record.route_segment}};
  }
  co_return std::optional<PublishedVersionInfo>{};
}

}  // namespace feedsync::cms
