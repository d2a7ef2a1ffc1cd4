// The steps of RestCmsSink's upsert: one write request (with the status-in-body fallback), the
// version it produced, the status transition and the read-back.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "cms/problem_details.hpp"
#include "cms/rest_sink.hpp"
#include "cms/route_segment.hpp"
#include "log/log.hpp"

namespace feedsync::cms {
namespace asio = boost::asio;

namespace {

bool is_2xx(int status) { return status >= 200 && status <= 299; }

// A validation answer that names `field`.
bool refuses_field(const net::Response& response, std::string_view field) {
  if (response.status != 400 && response.status != 422) return false;
  auto problem = parse_problem(response.body);
  return problem && names_field(*problem, field);
}

// The service does not take a status here.
bool refuses_status(const net::Response& response) { return refuses_field(response, "status"); }

std::string transition_name(std::string_view status) {
  if (status == "published") return "publish";
  if (status == "scheduled") return "scheduled publish";
  return "status change to " + std::string(status);
}

// A version asked to be scheduled that the CMS published instead (the time passed meanwhile:
// it publishes at once) has reached its goal too; so has a version made ready that an approval
// sequence put in review (v1 `:ready` on such a content type answers `inReview`).
bool reached(std::string_view status, std::string_view wanted) {
  return status == wanted || (wanted == "scheduled" && status == "published") ||
         (wanted == "ready" && status == "inReview");
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

std::string RestCmsSink::context(std::string_view operation, const ArticleRef& article, const net::Request& request) {
  auto url = boost::urls::parse_absolute_uri(request.url);
  const std::string path = url ? std::string(url->encoded_path()) : request.url;
  return "CMS " + std::string(operation) + " of " + describe(article) + " (" + std::string(net::to_string(request.method)) +
         " " + path + ")";
}

asio::awaitable<Expected<RestCmsSink::Sent, CmsError>> RestCmsSink::write(Step step, Payload payload, ArticleRef article) {
  // "" sends no status at all, and the version starts as a draft: v1 (status is read-only), and
  // the flat dialect once the service refused the field. A service that refuses `status` refuses
  // it whatever its value, so the fallback must leave it out rather than send "draft".
  std::string status = dialect_->status_in_body() && !status_in_body_refused_ ? payload.target_status : "";
  bool segment_deduplicated = false;
  for (;;) {
    net::Request request = step == Step::create ? dialect_->create(payload, status) : dialect_->new_version(payload, status);
    std::string ctx = context(step == Step::create ? "create" : "new version", article, request);
    auto reply = co_await transport_.send(std::move(request), ctx);
    if (!reply) co_return unexpected(std::move(reply.error()));
    if (!status.empty() && refuses_status(*reply)) {
      status_in_body_refused_ = true;
      log::info("CMS refuses a status in create bodies; creating drafts and setting the status by PATCH",
                {{"cms_api", std::string(dialect_->name())}});
      status.clear();
      continue;
    }
    if (payload.route_segment && !segment_deduplicated && refuses_route_segment(*reply)) {
      segment_deduplicated = true;
      const std::string taken = *payload.route_segment;
      payload.route_segment = deduplicated_route_segment(taken, payload.key);
      log::info("route segment refused (in use by another item?); writing with one derived from the content key",
                {{"article", describe(article)}, {"refused", taken}, {"route_segment", *payload.route_segment}});
      continue;
    }
    co_return Sent{std::move(*reply), std::move(ctx), status.empty() ? "draft" : status, payload.route_segment};
  }
}

asio::awaitable<RestCmsSink::Reply> RestCmsSink::send_fresh(net::Request request, std::string context) {
  for (int attempt = 0;; ++attempt) {
    net::Request copy = request;
    auto reply = co_await transport_.send(std::move(copy), context);
    if (!reply || reply->status != 404 || attempt >= options_.fresh_version_retries) co_return reply;
    log::debug("CMS version not visible yet; retrying", {{"request", context}});
    const asio::any_io_executor executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, options_.fresh_version_delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none)
      co_return unexpected(make_error(CmsErrorKind::cancelled, context + ": cancelled"));
  }
}

namespace {

bool is_json(std::string_view body) {
  boost::system::error_code ec;
  boost::json::parse(body, ec);
  return !ec;
}

}  // namespace

asio::awaitable<RestCmsSink::Record> RestCmsSink::written_version(Sent sent, Payload payload, ArticleRef article) {
  const bool wrapped = dialect_->wrapped_properties();
  if (auto record = read_version_record(sent.response.body, wrapped); record && !record->version.empty()) {
    if (record->status.empty()) record->status = sent.body_status;
    co_return std::move(*record);
  }
  // No representation (v1 without Prefer honoured, or a bare 201): ask for the version, found
  // through Location, else as the newest of the locale. Its status is then the CMS's word.
  std::optional<std::string> version;
  if (auto location = sent.response.headers.get("Location")) version = version_from_location(*location);
  if (version) co_return co_await read_back(payload, *version, article, /*verify=*/false);

  net::Request list = dialect_->list_versions(payload.key, payload.locale, "");
  const std::string ctx = context("version lookup", article, list);
  auto reply = co_await send_fresh(std::move(list), ctx);
  if (!reply) co_return unexpected(std::move(reply.error()));
  if (!is_2xx(reply->status)) co_return unexpected(error_from_response(*reply, ctx));
  auto newest = newest_version(reply->body, payload.locale, wrapped);
  if (!newest && !is_json(reply->body)) {
    // A listing cut short or garbled on the way (issue 21): the answer's trouble, not the
    // article's; retried (the write is idempotent), never dead-lettered.
    co_return unexpected(make_error(CmsErrorKind::retryable, ctx + ": the answer is not a version listing (not JSON)"));
  }
  if (!newest)
    co_return unexpected(make_error(CmsErrorKind::permanent, sent.context +
                                                                 ": the CMS accepted the write but no version of locale '" +
                                                                 payload.locale + "' can be found"));
  if (newest->status.empty()) newest->status = sent.body_status;
  co_return std::move(*newest);
}

asio::awaitable<RestCmsSink::Record> RestCmsSink::settle(Payload payload, VersionRecord record, ArticleRef article) {
  const bool wrapped = dialect_->wrapped_properties();
  if (!reached(record.status, payload.target_status)) {
    // A new version (never the published one) gets its status: published versions are not
    // edited in place (api-notes.md "PATCH").
    net::Request request = dialect_->transition(payload, record.version, payload.target_status);
    const std::string ctx = context(transition_name(payload.target_status), article, request);
    auto reply = co_await send_fresh(std::move(request), ctx);
    if (!reply) co_return unexpected(std::move(reply.error()));
    if (!is_2xx(reply->status)) co_return unexpected(error_from_response(*reply, ctx));
    if (auto after = read_version_record(reply->body, wrapped)) {
      record.status = after->status.empty() ? payload.target_status : after->status;
      record.route_segment = after->route_segment;
      if (after->properties) record.properties = std::move(after->properties);
    } else {
      record.status = payload.target_status;
      record.route_segment.reset();  // publishing may re-derive it: unknown until read
    }
  }
  if (record.status == "inReview") {
    log::info("CMS version waiting for approval (the content type has an approval sequence)",
              {{"article", describe(article)}, {"version", record.version}});
  }
  const bool route_unknown = record.status == "published" && !record.route_segment;
  if (!options_.verify_writes && !route_unknown) co_return record;

  auto stored = co_await read_back(payload, record.version, article, options_.verify_writes);
  if (!stored) co_return unexpected(std::move(stored.error()));
  if (stored->route_segment) record.route_segment = stored->route_segment;
  if (!stored->status.empty()) record.status = stored->status;
  co_return record;
}

asio::awaitable<RestCmsSink::Record> RestCmsSink::read_back(Payload payload, std::string version, ArticleRef article,
                                                            bool verify) {
  net::Request request = dialect_->get_version(payload.key, version);
  const std::string ctx = context("read-back", article, request);
  auto reply = co_await send_fresh(std::move(request), ctx);
  if (!reply) co_return unexpected(std::move(reply.error()));
  if (!is_2xx(reply->status)) co_return unexpected(error_from_response(*reply, ctx));
  auto stored = read_version_record(reply->body, dialect_->wrapped_properties());
  if (!stored) {
    // A garbled 2xx (a proxy cutting the body, a flaky gateway) says nothing about the write,
    // which the CMS accepted: retried, not dead-lettered (issue 15).
    co_return unexpected(make_error(CmsErrorKind::retryable, ctx + ": the answer is not a content version",
                                    reply->status));
  }
  if (stored->version.empty()) stored->version = version;
  if (verify) {
    const auto dropped = dropped_properties(payload.properties, stored->properties.value_or(boost::json::object{}));
    if (!dropped.empty()) {
      CmsError error = make_error(CmsErrorKind::permanent,
                                  ctx + ": version " + version + " was stored without the properties " + join(dropped) +
                                      " that were sent (the CMS dropped them silently)",
                                  reply->status);
      for (const auto& name : dropped) error.field_errors.push_back({"properties." + name, "missing after the write"});
      co_return unexpected(std::move(error));
    }
  }
  co_return std::move(*stored);
}

}  // namespace feedsync::cms
