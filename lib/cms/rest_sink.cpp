#include "cms/rest_sink.hpp"

#include "cms/problem_details.hpp"
#include "cms/route_segment.hpp"
#include "log/log.hpp"

namespace feedsync::cms {
namespace asio = boost::asio;

namespace {

bool is_2xx(int status) { return status >= 200 && status <= 299; }

// The key is taken (create said 409) yet the item takes no new version (404).
CmsError soft_deleted(const std::string& context) {
  return make_error(CmsErrorKind::permanent,
                    context + ": HTTP 404: the key exists (409 on create) but the item takes no new version: "
                              "it is probably deleted in the CMS (soft); restore it (undelete) or delete it "
                              "permanently",
                    404);
}

}  // namespace

RestCmsSink::RestCmsSink(std::unique_ptr<CmsDialect> dialect, CmsTransport transport, SinkOptions options)
    : dialect_(std::move(dialect)), transport_(std::move(transport)), options_(options) {}

asio::awaitable<CmsResult> RestCmsSink::upsert(UpsertRequest request) {
  const ArticleRef article = std::move(request.article);
  Payload payload = payload_for(std::move(request.document));
  if (payload.key != article.key)
    co_return unexpected(make_error(CmsErrorKind::permanent, "CMS upsert of " + describe(article) +
                                                                 ": the payload is for key " + payload.key));
  // Decided once, before the first request, so every step of this write agrees.
  payload.target_status = status_at(payload, now_ms());

  std::optional<Sent> written;
  bool created = false;
  bool after_conflict = false;
  if (!request.known) {
    auto sent = co_await write(Step::create, payload, article);
    if (!sent) co_return unexpected(std::move(sent.error()));
    if (sent->response.status == 409 && !refuses_route_segment(sent->response)) {
      // Created by an earlier attempt whose answer was lost (crash, timeout): update it. (A 409
      // naming routeSegment is a taken segment that write() could not work around.)
      log::debug("CMS item exists already; writing a new version",
                 {{"feed", article.feed}, {"guid", article.guid}, {"cms_key", article.key}});
      after_conflict = true;
    } else if (is_2xx(sent->response.status)) {
      written = std::move(*sent);
      created = true;
    } else {
      co_return unexpected(error_from_response(sent->response, sent->context));
    }
  }
  if (!written) {
    auto sent = co_await write(Step::new_version, payload, article);
    if (!sent) co_return unexpected(std::move(sent.error()));
    if (sent->response.status == 404 && !after_conflict) {
      // Known to us but gone from the CMS (deleted there by hand, permanently): create it again.
      log::info("CMS item missing; creating it again",
                {{"feed", article.feed}, {"guid", article.guid}, {"cms_key", article.key}});
      auto again = co_await write(Step::create, payload, article);
      if (!again) co_return unexpected(std::move(again.error()));
      if (again->response.status == 409) co_return unexpected(soft_deleted(sent->context));
      if (!is_2xx(again->response.status)) co_return unexpected(error_from_response(again->response, again->context));
      created = true;
      sent = std::move(again);
    } else if (sent->response.status == 404) {
      co_return unexpected(soft_deleted(sent->context));
    } else if (!is_2xx(sent->response.status)) {
      co_return unexpected(error_from_response(sent->response, sent->context));
    }
    written = std::move(*sent);
  }

  // A refused route segment was replaced by the write: what follows works with the one sent.
  payload.route_segment = written->route_segment;
  auto record = co_await written_version(std::move(*written), payload, article);
  if (!record) co_return unexpected(std::move(record.error()));
  auto settled = co_await settle(payload, std::move(*record), article);
  if (!settled) co_return unexpected(std::move(settled.error()));
  if (payload.scheduling && !created) {
    auto cancelled = co_await cancel_other_schedules(payload, settled->version, article);
    if (!cancelled) co_return unexpected(std::move(cancelled.error()));
  }

  WriteOutcome outcome;
  outcome.key = article.key;
  outcome.version = settled->version;
  outcome.route_segment = settled->route_segment ? settled->route_segment : payload.route_segment;
  outcome.status = version_status(settled->status.empty() ? payload.target_status : settled->status);
  outcome.created = created;
  if (outcome.status == WriteStatus::scheduled) outcome.publish_at = payload.publish_at_ms;
  co_return outcome;
}

asio::awaitable<CmsResult> RestCmsSink::remove(ArticleRef article, bool permanent) {
  net::Request request = dialect_->remove(article.key, permanent);
  const std::string ctx = context(permanent ? "permanent delete" : "delete", article, request);
  co_return co_await send_removal(std::move(request), ctx, std::move(article));
}

asio::awaitable<CmsResult> RestCmsSink::remove_locale(ArticleRef article, std::string locale) {
  net::Request request = dialect_->remove_locale(article.key, locale);
  const std::string ctx = context("delete of locale " + locale, article, request);
  co_return co_await send_removal(std::move(request), ctx, std::move(article));
}

// A DELETE whose 404 means the goal is reached.
asio::awaitable<CmsResult> RestCmsSink::send_removal(net::Request request, std::string ctx, ArticleRef article) {
  auto reply = co_await transport_.send(std::move(request), ctx);
  if (!reply) co_return unexpected(std::move(reply.error()));
  WriteOutcome outcome;
  outcome.key = article.key;
  if (reply->status == 404) {
    outcome.status = WriteStatus::absent;  // already gone: the goal is reached
  } else if (is_2xx(reply->status)) {
    outcome.status = WriteStatus::deleted;
  } else {
    co_return unexpected(error_from_response(*reply, ctx));
  }
  co_return outcome;
}

asio::awaitable<CmsResult> RestCmsSink::undelete(ArticleRef article) {
  net::Request request = dialect_->undelete(article.key);
  const std::string ctx = context("undelete", article, request);
  auto reply = co_await transport_.send(std::move(request), ctx);
  if (!reply) co_return unexpected(std::move(reply.error()));
  WriteOutcome outcome;
  outcome.key = article.key;
  if (is_2xx(reply->status)) {
    outcome.status = WriteStatus::restored;
  } else if (reply->status == 400 || reply->status == 409) {
    // The vendor's definition says only that an error is returned when the item is not deleted
    // (400 is listed, 409 is not; issue 16): read the item. Live (restored by hand, or never
    // deleted): nothing to restore, and the upsert that follows an undelete does the rest.
    auto refused = error_from_response(*reply, ctx);
    net::Request read = dialect_->get_item(article.key);
    const std::string read_ctx = context("read after a refused undelete", article, read);
    auto item = co_await transport_.send(std::move(read), read_ctx);
    if (!item || !is_2xx(item->status)) co_return unexpected(std::move(refused));
    outcome.status = WriteStatus::not_deleted;
  } else if (reply->status == 404) {
    CmsError error = error_from_response(*reply, ctx);
    error.kind = CmsErrorKind::permanent;
    error.message += ": the content item is gone from the CMS (deleted permanently or past its "
                     "retention); it cannot be restored";
    co_return unexpected(std::move(error));
  } else {
    co_return unexpected(error_from_response(*reply, ctx));
  }
  co_return outcome;
}

}  // namespace feedsync::cms
