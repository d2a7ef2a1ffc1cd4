#pragma once
// The typed configuration of feedsync (DESIGN.md §6). Loaded from one YAML file by load_config();
// every field here has a documented key in config/feedsync.example.yaml. The key names are a
// public contract: add keys freely, never rename or drop one.

#include <array>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/content_key.hpp"
#include "core/duration.hpp"

namespace feedsync::config {

// Where a value came from, for errors raised after parsing (mapping compilation, reload diffs).
struct SourcePos {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

// A secret value (CMS client secret, admin token). It only ever comes from the environment or a
// file, never from a literal in the YAML. It has no stream operator on purpose: reveal() is the
// single, greppable place where the value leaves this wrapper.
class Secret {
 public:
  Secret() = default;
  Secret(std::string value, std::string origin) : value_(std::move(value)), origin_(std::move(origin)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  // Where it came from, e.g. "file /run/credentials/feedsync.service/cms_client_secret" or
  // "environment CMS_CLIENT_SECRET": safe to print.
  const std::string& origin() const { return origin_; }

 private:
  std::string value_;
  std::string origin_;
};

struct StateConfig {
  std::filesystem::path path = "/var/lib/feedsync/state.db";
  Duration busy_timeout = std::chrono::seconds(5);
};

enum class LogFormat { text, json };
struct LogConfig {
  std::string level = "info";  // trace | debug | info | warn | error | critical | off
  LogFormat format = LogFormat::text;
};

struct HttpConfig {
  std::string listen = "127.0.0.1:9464";  // host:port; [v6]:port
  std::string listen_host = "127.0.0.1";  // IPv6 without the brackets ("::1"), ready for Asio
  unsigned short listen_port = 9464;
  // From admin_token_file or admin_token (${VAR} only); absent = admin API disabled.
  std::optional<Secret> admin_token;
  // A second listener that serves only the /hooks/ routes (issue 19), so that webhooks can be
  // reached from the internet while the admin API stays on a loopback `listen`. Absent: the
  // hooks are served on `listen`.
  std::optional<std::string> webhook_listen;
  std::string webhook_listen_host;
  unsigned short webhook_listen_port = 0;
  // TLS on the webhook listener: both or neither (PEM chain, PEM key).
  std::optional<std::string> webhook_tls_cert_file;
  std::optional<std::string> webhook_tls_key_file;
};

// Event-driven sync (issue 19). Each source is enabled by configuring its secret; without one
// its route answers 404 like a path that does not exist.
struct CmpWebhookConfig {
  // The CMP webhook's secret, sent back in `Callback-Secret` (at most 32 characters, CMP's limit).
  std::optional<Secret> secret;
  // Deliveries within this window after the first one cost one poll per feed.
  Duration coalesce = std::chrono::milliseconds(100);
};
struct CmsWebhookConfig {
  // The token the CMS sends with each event (a header or `?token=`), configured on the CMS
  // subscription (`feedsyncd webhooks register-cms`).
  std::optional<Secret> token;
};
struct WebhooksConfig {
  CmpWebhookConfig cmp;
  CmsWebhookConfig cms;
};

struct SourceConfig {
  std::string base_url = "https://api.optimizely.com";
  int page_size = 200;         // full-content pages, 1..999
  int index_page_size = 999;   // guid/modified_at pages, 1..999
  Duration timeout = std::chrono::seconds(30);
  Rate rate_limit{5.0};
  // Feed API requests per 30 days the daemon may spend (issue 17); none: no cap. Above it the
  // daemon stretches every feed's intervals (core/request_budget.hpp).
  std::optional<std::int64_t> monthly_budget;
  std::map<std::string, std::string> headers;  // extra request headers (values may use ${VAR})
};

enum class CmsApi { version2, v1 };
// The SaaS gateway, as the vendor's own CLI (episerver/content-js-sdk) reaches it: cms.base_url
// and cms.token_url when cms.api is v1 and they are not given.
inline constexpr const char* kSaasCmsBaseUrl = "https://api.cms.optimizely.com/v1";
inline constexpr const char* kSaasCmsTokenUrl = "https://api.cms.optimizely.com/oauth/token";
// How client credentials travel to cms.token_url: a JSON body (some gateways block form posts)
// or an RFC 6749 form with HTTP Basic.
enum class TokenRequest { json, form };
// An article CMP publishes to several configured feeds (issue 17, docs/decisions.md): one CMS
// item per feed (each feed's mapping and container; the default, and what earlier versions did),
// or one item, owned by the first feed to sync it (the others skip it). Either way at most one
// canonical link is posted per pixel key.
enum class SharedArticles { item_per_feed, one_item };
// What `feedsyncd audit --repair` does about a published version an editor wrote over ours
// (issue 22): leave it live and report it (keep), or publish ours over it again (overwrite).
enum class OnCmsEdit { keep, overwrite };
struct CmsConfig {
  // Without `api`: v1, unless base_url is a /_cms/<version> path (the flat dialect that earlier
  // versions defaulted to), so configurations written for them keep working (issue 16).
  CmsApi api = CmsApi::v1;
  std::string base_url;   // required
  std::string token_url;  // required
  std::string client_id;  // required
  Secret client_secret;   // required: client_secret (${VAR} only) or client_secret_file
  std::optional<std::string> act_as;
  Rate rate_limit{10.0};
  int max_in_flight = 4;
  Duration timeout = std::chrono::seconds(30);
  // Read every written version back and fail the write if a property sent is missing from it
  // (some writes have silently dropped properties, api-notes.md "Quirks").
  bool verify_writes = false;
  TokenRequest token_request = TokenRequest::json;
  SharedArticles articles_in_several_feeds = SharedArticles::item_per_feed;
  OnCmsEdit on_cms_edit = OnCmsEdit::keep;
  // Refresh a token this long before it expires (capped at half its lifetime).
  Duration token_refresh_skew = std::chrono::seconds(30);
  // The UUIDv5 namespace of content keys (core/content_key.hpp). Changing it gives every
  // article a new key, i.e. a new CMS item: set it before the first sync or never.
  Uuid key_namespace = kContentKeyNamespace;
};

struct CanonicalConfig {
  bool enabled = true;
  std::string endpoint = "https://js-snippets.optimizely.com/customer_canonical_link";
  std::string url_template;  // required when enabled: {locale} {route_segment} {key} {guid} {meta_url}
  // How often the CMS is asked whether articles feedsync left unpublished (draft, ready, in
  // review, scheduled) were published since, by an editor or a scheduled time (issue 19).
  Duration pending_check_interval = std::chrono::minutes(5);
};

// How the daemon runs its work (DESIGN.md §3, §4): poll concurrency, failure backoff, shutdown.
struct EngineConfig {
  int max_concurrent_polls = 2;  // feeds polled at the same time
  // A failing feed is retried after interval * 2^(failures-1), at most this long (never abandoned).
  Duration max_poll_backoff = std::chrono::minutes(15);
  // A failed CMS operation waits 1s * 2^(attempts-1) (full jitter), at most this long.
  Duration max_retry_backoff = std::chrono::minutes(10);
  // SIGTERM: CMS calls in flight get this long to finish before they are cancelled.
  Duration shutdown_timeout = std::chrono::seconds(30);
  // The daemon audits every feed against the CMS this often (issue 22, `feedsyncd audit` without
  // --repair): metrics per result and a /readyz check. 0: off (the default).
  Duration audit_interval = Duration::zero();
};

enum class PublishMode { immediate, draft, ready };
enum class DeleteMode { soft, permanent, keep };
// Their names in the configuration (feeds[].publish, feeds[].delete), in enum order: the loader
// reads them; `feedsyncd check` and the outbox payload write them.
inline constexpr std::array<std::string_view, 3> kPublishModeNames{"immediate", "draft", "ready"};
inline constexpr std::array<std::string_view, 3> kDeleteModeNames{"soft", "permanent", "keep"};
constexpr std::string_view to_string(PublishMode mode) { return kPublishModeNames[static_cast<std::size_t>(mode)]; }
constexpr std::string_view to_string(DeleteMode mode) { return kDeleteModeNames[static_cast<std::size_t>(mode)]; }
// feeds[].route_segment (issue 16): whether an item's later versions keep the route segment the
// CMS recorded for it (its published URL, which CMP holds as the canonical link), or take the
// one mapping.routeSegment gives now, so a title edit moves the URL (and the new canonical link
// is posted).
enum class RouteSegmentMode { keep, follow };
inline constexpr std::array<std::string_view, 2> kRouteSegmentModeNames{"keep", "follow"};
constexpr std::string_view to_string(RouteSegmentMode mode) {
  return kRouteSegmentModeNames[static_cast<std::size_t>(mode)];
}

// feeds[].translations (issue 23): whether articles that share a CMP group_id become locale
// versions of one CMS item (group) or stay items of their own (off, the default and the
// behaviour before the key existed).
enum class Translations { off, group };
inline constexpr std::array<std::string_view, 2> kTranslationsNames{"off", "group"};
constexpr std::string_view to_string(Translations mode) { return kTranslationsNames[static_cast<std::size_t>(mode)]; }

struct DeleteGuard {
  int min = 10;
  double ratio = 0.2;
};

// A mapping expression as written ("title", "meta_url | slug(title)"). Compiled by lib/core's
// mapping code (issue 6); here it is kept verbatim with its position for precise errors.
struct MappingExpr {
  std::string text;
  SourcePos pos;
};

struct Mapping {
  MappingExpr display_name;                                  // required
  std::optional<MappingExpr> route_segment;
  std::vector<std::pair<std::string, MappingExpr>> properties;  // in file order
  // The publish time (key publishAt); used only when the feed has `schedule: true`.
  std::optional<MappingExpr> publish_at;
};

struct FeedConfig {
  std::string name;  // unique, [a-z0-9][a-z0-9_-]*
  std::string feed_id;
  std::optional<std::string> deleted_feed_id;
  Duration interval = std::chrono::seconds(60);
  Duration full_scan_interval = std::chrono::hours(1);
  // How often the Deleted Feed is read (incrementally, by its own watermark); the loader sets it
  // to `interval` when not given.
  Duration deleted_interval = std::chrono::seconds(60);
  Duration overlap = std::chrono::minutes(5);  // incremental poll reaches back this far
  std::string content_type;
  std::string container;  // 32 lowercase hex (the dashed or upper-case GUID form is normalised)
  std::optional<std::string> locale;            // one of locale / locale_map is required
  std::map<std::string, std::string> locale_map;  // lang_code -> CMS locale
  PublishMode publish = PublishMode::immediate;
  DeleteMode delete_mode = DeleteMode::soft;    // key: delete
  RouteSegmentMode route_segment = RouteSegmentMode::keep;
  Translations translations = Translations::off;
  DeleteGuard delete_guard;
  // Publish at mapping.publishAt when that is in the future (status "scheduled"); requires
  // publish: immediate and mapping.publishAt.
  bool schedule = false;
  Mapping mapping;
  SourcePos pos;
  // Where the keys that `check --connect` verifies against the CMS were written, so a content
  // type, container or locale the CMS does not have is reported at its line.
  struct Positions {
    SourcePos content_type, container, locale;
    std::map<std::string, SourcePos> locale_map;  // lang_code -> its entry
  } positions;
  // Not a feed key: cms.key_namespace, copied here by the loader so that everything that
  // derives a content key from a feed (engine/feed_target.cpp) needs only the feed.
  Uuid key_namespace = kContentKeyNamespace;
  SharedArticles shared_articles = SharedArticles::item_per_feed;  // cms.articles_in_several_feeds

  // mapping.publishAt's expression when the feed schedules, else nullopt: what MappingSpec's
  // publish_at takes.
  std::optional<std::string> scheduled_publish_at() const;
};

struct Config {
  std::filesystem::path file;  // the file it was loaded from
  StateConfig state;
  LogConfig log;
  HttpConfig http;
  SourceConfig source;
  CmsConfig cms;
  CanonicalConfig canonical;
  EngineConfig engine;
  WebhooksConfig webhooks;
  std::vector<FeedConfig> feeds;
  // Things that load but look wrong, formatted like errors ("file:line:col: key: message").
  // The daemon logs them at start-up; config itself never logs.
  std::vector<std::string> warnings;

  const FeedConfig* find_feed(std::string_view name) const;
  // Every secret value, for the log redactor. Never print these.
  std::vector<std::string> secret_values() const;
};

// A configuration problem. what() is "file:line:col: key.path: message" (position and path
// omitted only when unknown). The daemon exits with 78 (EX_CONFIG) on it.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Looks up an environment variable; injectable so tests need not touch the real environment.
// Default-constructed: the process environment (getenv).
struct Environment {
  std::function<std::optional<std::string>(const std::string& name)> lookup;
  std::optional<std::string> get(const std::string& name) const;
};

// Reads, expands (${VAR}), validates and types the file. Throws ConfigError. Relative paths in
// it (state.path, *_file) are taken from the file's directory.
Config load_config(const std::filesystem::path& file, const Environment& env = {});
// Same from text already in memory; `display_name` is what errors call the file. Relative
// paths stay as written (relative to the working directory).
Config load_config_from_string(const std::string& yaml, const std::string& display_name,
                               const Environment& env = {});

}  // namespace feedsync::config
