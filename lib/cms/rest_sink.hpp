#pragma once
// CmsSink over the CMS REST API, one control flow for both dialects (dialect.hpp):
//
//   upsert, new    create (status in the body where the dialect allows it); 409 -> as known
//   (both)         a route segment another item holds (400/422 naming routeSegment, or a 409
//                  naming it): written once more with deduplicated_route_segment()
//   upsert, known  new version; 404 -> the item vanished from the CMS: create it again
//   then           if the version's status is not the wanted one: transition (flat: PATCH
//                  merge-patch; v1: :publish/:ready/:draft); never edits a published version
//   then           if verify_writes: GET the version and fail if a property sent is missing
//   then           feeds that schedule, known items: other versions of the locale still
//                  scheduled are set back to draft (a stale schedule would later publish old
//                  content over the new version)
//   remove         DELETE; 404 = done
//   undelete       POST {key}:undelete; 404 = permanent "gone"; 409 = was not deleted
//
// Flat dialect, status on create: the seeds and api-notes say the flat record carries `status`
// and that it can be set "on create"; so it is sent in the create and new-version bodies. If a
// service refuses it there (400/422 naming the `status` field) the write is resent without a
// status (a draft) and the status set by PATCH; the sink remembers that for the rest of its life.
//
// Scheduled publishing: a payload whose publishAt is still ahead (by options.clock) is written
// with status "scheduled" and the time (dialect.hpp); the outcome's status is then "scheduled",
// or "published" when the CMS found the time already past.
//
// A version just created can 404 for a moment (api-notes.md "Quirks"): the transition and the
// read-back right after a write retry a 404 `fresh_version_retries` times, `fresh_version_delay`
// apart, before failing.

#include <chrono>
#include <memory>
#include <string>

#include "cms/cms_sink.hpp"
#include "cms/cms_transport.hpp"
#include "cms/dialect.hpp"
#include "cms/version_record.hpp"
#include "core/clock.hpp"

namespace feedsync::cms {

struct SinkOptions {
  bool verify_writes = false;
  int fresh_version_retries = 3;
  std::chrono::milliseconds fresh_version_delay{200};
  // Decides whether a publish time is still ahead; nullptr: the system clock. Must outlive the
  // sink.
  const Clock* clock = nullptr;
};

class RestCmsSink final : public CmsSink, public PublishedVersionSource {
 public:
  RestCmsSink(std::unique_ptr<CmsDialect> dialect, CmsTransport transport, SinkOptions options);

  boost::asio::awaitable<CmsResult> upsert(UpsertRequest request) override;
  boost::asio::awaitable<CmsResult> undelete(ArticleRef article) override;
  boost::asio::awaitable<CmsResult> remove(ArticleRef article, bool permanent) override;
  boost::asio::awaitable<CmsResult> remove_locale(ArticleRef article, std::string locale) override;
  // GET /content/{key}/versions?locales=L&statuses=published (rest_sink_schedule.cpp).
  boost::asio::awaitable<PublishedResult> published_version(ArticleRef article, std::string locale) override;

  const CmsDialect& dialect() const { return *dialect_; }

 private:
  enum class Step { create, new_version };
  struct Sent {
    net::Response response;
    std::string context;       // "CMS create of feed=... guid=... key=... (POST /.../content)"
    std::string body_status;   // the status the body asked for ("draft" when it sent none)
    std::optional<std::string> route_segment;  // the segment sent (a refused one is replaced)
  };
  using Reply = Expected<net::Response, CmsError>;
  // A DELETE (item or locale) whose 404 counts as done. Parameters by value (GCC 12).
  boost::asio::awaitable<CmsResult> send_removal(net::Request request, std::string ctx, ArticleRef article);
  using Record = Expected<VersionRecord, CmsError>;

  // rest_sink_steps.cpp
  boost::asio::awaitable<Expected<Sent, CmsError>> write(Step step, Payload payload, ArticleRef article);
  boost::asio::awaitable<Reply> send_fresh(net::Request request, std::string context);
  boost::asio::awaitable<Record> written_version(Sent sent, Payload payload, ArticleRef article);
  boost::asio::awaitable<Record> settle(Payload payload, VersionRecord record, ArticleRef article);
  // GET the version; with `verify`, fail if a property sent is missing from it.
  boost::asio::awaitable<Record> read_back(Payload payload, std::string version, ArticleRef article, bool verify);
  // rest_sink_schedule.cpp
  boost::asio::awaitable<Expected<int, CmsError>> cancel_other_schedules(Payload payload, std::string keep,
                                                                         ArticleRef article);
  std::int64_t now_ms() const;
  static std::string context(std::string_view operation, const ArticleRef& article, const net::Request& request);

  std::unique_ptr<CmsDialect> dialect_;
  CmsTransport transport_;
  SinkOptions options_;
  bool status_in_body_refused_ = false;
};

}  // namespace feedsync::cms
