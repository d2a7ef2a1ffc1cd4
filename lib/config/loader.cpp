// The configuration schema: which keys exist, their types, defaults and cross-checks.
// Node walking lives in yaml_reader, single-value parsing in values, ${VAR} in env.

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <span>

#include "config/config.hpp"
#include "config/env.hpp"
#include "config/files.hpp"
#include "config/known_keys.hpp"
#include "config/values.hpp"
#include "config/yaml_reader.hpp"
#include "core/mapping_expr.hpp"
#include "core/strings.hpp"

namespace feedsync::config {
namespace {

using detail::Document;
using detail::Map;
using detail::Parsed;
using detail::quote;
using detail::Value;

constexpr std::size_t kMaxConfigBytes = 16 * 1024 * 1024;
constexpr std::size_t kMaxSecretBytes = 64 * 1024;

template <class T>
T checked(const Value& value, Parsed<T> parsed) {
  if (!parsed.value) value.fail(parsed.error);
  return std::move(*parsed.value);
}

std::string non_empty(const Value& value) {
  std::string text = value.scalar();
  if (text.empty()) value.fail("must not be empty");
  return text;
}

std::optional<std::string> read_optional_text(const Map& map, std::string_view key) {
  if (auto value = map.get(key)) return non_empty(*value);
  return std::nullopt;
}

enum class Zero { allowed, rejected };

Duration read_duration(const Map& map, std::string_view key, Duration fallback, Zero zero) {
  const auto value = map.get(key);
  if (!value) return fallback;
  const Duration d = checked(*value, detail::parse_duration_value(value->scalar()));
  if (zero == Zero::rejected && d == Duration::zero()) value->fail("must be longer than 0s");
  return d;
}

Rate read_rate(const Map& map, std::string_view key, Rate fallback) {
  const auto value = map.get(key);
  return value ? checked(*value, detail::parse_rate_value(value->scalar())) : fallback;
}

bool read_bool(const Map& map, std::string_view key, bool fallback) {
  const auto value = map.get(key);
  return value ? checked(*value, detail::parse_bool_value(value->scalar())) : fallback;
}

int read_int(const Map& map, std::string_view key, int fallback, int min, int max) {
  const auto value = map.get(key);
  if (!value) return fallback;
  return static_cast<int>(checked(*value, detail::parse_integer_value(value->scalar(), min, max)));
}

std::string read_url(const Map& map, std::string_view key, std::string fallback) {
  const auto value = map.get(key);
  return value ? checked(*value, detail::parse_http_url_value(value->scalar())) : fallback;
}

std::string require_url(const Map& map, std::string_view key) {
  const auto value = map.require(key);
  return checked(value, detail::parse_http_url_value(value.scalar()));
}

// `names` in enum order.
template <class Enum>
Enum read_choice(const Map& map, std::string_view key, Enum fallback, std::span<const std::string_view> names) {
  const auto value = map.get(key);
  if (!value) return fallback;
  return static_cast<Enum>(checked(*value, detail::parse_choice_value(value->scalar(), names)));
}

template <class Enum>
Enum read_choice(const Map& map, std::string_view key, Enum fallback,
                 std::initializer_list<std::string_view> names) {
  return read_choice(map, key, fallback, std::span<const std::string_view>(names.begin(), names.size()));
}

bool is_property_name(std::string_view name) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  return !name.empty() && letter(name[0]) && std::all_of(name.begin(), name.end(), [&](char c) {
    return letter(c) || (c >= '0' && c <= '9') || c == '_';
  });
}

class Loader {
 public:
  Loader(Document& doc, std::filesystem::path base_dir, Config& config, std::string_view yaml)
      : doc_(doc), base_dir_(std::move(base_dir)), config_(config), yaml_(yaml) {}

  void load(const Map& root) {
    const Map state = root.section("state", known_keys("state"));
    const Map log = root.section("log", known_keys("log"));
    const Map http = root.section("http", known_keys("http"));
    const Map source = root.section("source", known_keys("source"));
    const Map cms = root.section("cms", known_keys("cms"));
    const Map canonical = root.section("canonical", known_keys("canonical"));
    const Map engine = root.section("engine", known_keys("engine"));
    const Map webhooks = root.section("webhooks", known_keys("webhooks"));
    const Map cmp_hooks = webhooks.section("cmp", known_keys("webhooks.cmp"));
    const Map cms_hooks = webhooks.section("cms", known_keys("webhooks.cms"));

    // Secrets first, so that the error masking knows them before any other value is checked.
    config_.http.admin_token = read_secret(http, "admin_token", "admin_token_file");
    auto client_secret = read_secret(cms, "client_secret", "client_secret_file");
    config_.webhooks.cmp.secret = read_secret(cmp_hooks, "secret", "secret_file");
    config_.webhooks.cms.token = read_secret(cms_hooks, "token", "token_file");

    read_state(state);
    read_log(log);
    read_http(http);
    read_source(source);
    read_cms(cms, std::move(client_secret));
    read_canonical(canonical);
    read_engine(engine);
    read_webhooks(cmp_hooks);
    read_feeds(root);
  }

 private:
  // Relative paths are taken from the configuration file's directory, not from the daemon's
  // working directory (which is / under systemd).
  std::filesystem::path resolve(const std::string& path) const {
    std::filesystem::path p(path);
    if (p.is_relative() && !base_dir_.empty()) return base_dir_ / p;
    return p;
  }

  // For "not both" errors: the second of the two keys in the file is the one to point at.
  [[noreturn]] void fail_at_later_key(const Map& map, std::string_view a, std::string_view b,
                                      const std::string& message) const {
    const YAML::Mark mark_a = *map.key_mark(a);
    const YAML::Mark mark_b = *map.key_mark(b);
    const bool a_later = mark_a.pos > mark_b.pos;
    doc_.fail(a_later ? mark_a : mark_b, detail::child_path(map.path(), a_later ? a : b), message);
  }

  void warn(const Value& value, const std::string& message) {
    config_.warnings.push_back(doc_.format(value.mark(), value.path(), message));
  }

  void read_state(const Map& map) {
    if (auto value = map.get("path")) config_.state.path = resolve(non_empty(*value));
    config_.state.busy_timeout =
        read_duration(map, "busy_timeout", config_.state.busy_timeout, Zero::allowed);
  }

  void read_log(const Map& map) {
    static constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug",    "info", "warn",
                                                                "error", "critical", "off"};
    if (auto value = map.get("level")) {
      const auto index = checked(*value, detail::parse_choice_value(value->scalar(), kLevels));
      config_.log.level = std::string(kLevels.at(index));
    }
    config_.log.format = read_choice(map, "format", config_.log.format, {"text", "json"});
  }

  void read_http(const Map& map) {
    if (auto value = map.get("listen")) {
      config_.http.listen = value->scalar();
      auto address = checked(*value, detail::parse_listen_value(config_.http.listen));
      config_.http.listen_host = std::move(address.host);
      config_.http.listen_port = address.port;
    }
    if (auto value = map.get("webhook_listen")) {
      auto address = checked(*value, detail::parse_listen_value(value->scalar()));
      config_.http.webhook_listen = value->scalar();
      config_.http.webhook_listen_host = std::move(address.host);
      config_.http.webhook_listen_port = address.port;
    }
    read_webhook_tls(map);
  }

  void read_webhook_tls(const Map& map) {
    auto& http = config_.http;
    if (auto value = map.get("webhook_tls_cert_file")) http.webhook_tls_cert_file = resolve(non_empty(*value)).string();
    if (auto value = map.get("webhook_tls_key_file")) http.webhook_tls_key_file = resolve(non_empty(*value)).string();
    if (http.webhook_tls_cert_file.has_value() != http.webhook_tls_key_file.has_value()) {
      const char* given = http.webhook_tls_cert_file ? "webhook_tls_cert_file" : "webhook_tls_key_file";
      map.get(given)->fail("webhook_tls_cert_file and webhook_tls_key_file go together: set both or neither");
    }
    if (http.webhook_tls_cert_file && !http.webhook_listen) {
      map.get("webhook_tls_cert_file")->fail("TLS applies to http.webhook_listen, which is not set");
    }
  }

  void read_webhooks(const Map& cmp) {
    auto& hooks = config_.webhooks;
    // CMP keeps secrets of at most 32 characters: a longer one could never match a delivery.
    constexpr std::size_t kMaxCmpSecret = 32;
    if (hooks.cmp.secret && hooks.cmp.secret->reveal().size() > kMaxCmpSecret) {
      const auto key = cmp.get("secret") ? "secret" : "secret_file";
      cmp.get(key)->fail("the CMP webhook secret (" + hooks.cmp.secret->origin() + ") is longer than 32 characters, "
                         "the most CMP accepts");
    }
    hooks.cmp.coalesce = read_duration(cmp, "coalesce", hooks.cmp.coalesce, Zero::allowed);
  }

  void read_source(const Map& map) {
    auto& source = config_.source;
    source.base_url = read_url(map, "base_url", source.base_url);
    source.page_size = read_int(map, "page_size", source.page_size, 1, 999);
    source.index_page_size = read_int(map, "index_page_size", source.index_page_size, 1, 999);
    source.timeout = read_duration(map, "timeout", source.timeout, Zero::rejected);
    source.rate_limit = read_rate(map, "rate_limit", source.rate_limit);
    if (const auto budget = map.get("monthly_budget")) {
      source.monthly_budget = checked(
          *budget, detail::parse_integer_value(budget->scalar(), 1, std::numeric_limits<std::int64_t>::max()));
    }

    std::map<std::string, std::string> seen;  // lower-cased name -> as written
    const Map headers = map.section("headers", {});
    for (const auto& [name, value] : headers.entries()) {
      const auto key_mark = *headers.key_mark(name);
      const auto valid_name = detail::parse_header_name_value(name);
      if (!valid_name.value) doc_.fail(key_mark, value.path(), valid_name.error);
      const auto [it, fresh] = seen.emplace(ascii_lower(name), name);
      if (!fresh) {
        doc_.fail(key_mark, value.path(),
                  "header " + quote(it->second) + " is already set (names ignore case)");
      }
      source.headers[name] = checked(value, detail::parse_header_value(value.scalar()));
    }
  }

  void read_cms(const Map& map, std::optional<Secret> secret) {
    auto& cms = config_.cms;
    cms.base_url = read_url(map, "base_url", "");
    cms.token_url = read_url(map, "token_url", "");
    if (map.get("api")) {
      cms.api = read_choice(map, "api", cms.api, {"version2", "v1"});
    } else {
      const bool flat_path = cms.base_url.find("/_cms/") != std::string::npos ||
                             cms.token_url.find("/_cms/") != std::string::npos;
      cms.api = flat_path ? CmsApi::version2 : CmsApi::v1;
    }
    if (cms.api == CmsApi::version2) {
      // The flat dialect lives on an instance's own host: nothing to default to.
      for (const char* key : {"base_url", "token_url"}) {
        if (!map.get(key))
          map.fail_missing(key, "required key is missing (cms.api: version2 has no default host; v1 defaults to the "
                                "SaaS gateway)");
      }
      cms.base_url = require_url(map, "base_url");
      cms.token_url = require_url(map, "token_url");
    } else {
      if (cms.base_url.empty()) cms.base_url = kSaasCmsBaseUrl;
      if (cms.token_url.empty()) cms.token_url = kSaasCmsTokenUrl;
    }
    cms.client_id = non_empty(map.require("client_id"));
    if (!secret) {
      map.fail_missing("client_secret_file",
                       "required key is missing (or client_secret: ${ENV_VAR})");
    }
    cms.client_secret = std::move(*secret);
    cms.act_as = read_optional_text(map, "act_as");
    cms.rate_limit = read_rate(map, "rate_limit", cms.rate_limit);
    cms.max_in_flight = read_int(map, "max_in_flight", cms.max_in_flight, 1, 64);
    cms.timeout = read_duration(map, "timeout", cms.timeout, Zero::rejected);
    cms.verify_writes = read_bool(map, "verify_writes", cms.verify_writes);
    cms.token_request = read_choice(map, "token_request", cms.token_request, {"json", "form"});
    cms.articles_in_several_feeds = read_choice(map, "articles_in_several_feeds", cms.articles_in_several_feeds,
                                                {"item_per_feed", "one_item"});
    cms.on_cms_edit = read_choice(map, "on_cms_edit", cms.on_cms_edit, {"keep", "overwrite"});
    cms.token_refresh_skew =
        read_duration(map, "token_refresh_skew", cms.token_refresh_skew, Zero::allowed);
    if (auto value = map.get("key_namespace")) {
      cms.key_namespace = checked(*value, detail::parse_uuid_value(value->scalar()));
    }
  }

  void read_canonical(const Map& map) {
    auto& canonical = config_.canonical;
    canonical.enabled = read_bool(map, "enabled", canonical.enabled);
    canonical.endpoint = read_url(map, "endpoint", canonical.endpoint);
    canonical.pending_check_interval =
        read_duration(map, "pending_check_interval", canonical.pending_check_interval, Zero::rejected);
    if (auto value = map.get("url_template")) {
      canonical.url_template = checked(*value, detail::parse_url_template_value(value->scalar()));
    } else if (canonical.enabled) {
      if (auto mark = map.key_mark("url_template")) {
        doc_.fail(*mark, detail::child_path(map.path(), "url_template"), "a value is required");
      }
      map.fail_missing("url_template", "required key is missing (or set canonical.enabled: false)");
    }
  }

  void read_engine(const Map& map) {
    auto& engine = config_.engine;
    engine.max_concurrent_polls = read_int(map, "max_concurrent_polls", engine.max_concurrent_polls, 1, 64);
    engine.max_poll_backoff = read_duration(map, "max_poll_backoff", engine.max_poll_backoff, Zero::rejected);
    engine.max_retry_backoff = read_duration(map, "max_retry_backoff", engine.max_retry_backoff, Zero::rejected);
    engine.shutdown_timeout = read_duration(map, "shutdown_timeout", engine.shutdown_timeout, Zero::allowed);
    engine.audit_interval = read_duration(map, "audit_interval", engine.audit_interval, Zero::allowed);
  }

  // Secrets come from the environment (`env_key: ${VAR}`, nothing else) or a file, never from
  // the YAML text, so configuration files can be shared and committed without leaking them.
  std::optional<Secret> read_secret(const Map& map, std::string_view env_key,
                                    std::string_view file_key) {
    const auto from_env = map.get(env_key);
    const auto from_file = map.get(file_key);
    if (from_env && from_file) {
      fail_at_later_key(
          map, env_key, file_key,
          "set either " + std::string(env_key) + " or " + std::string(file_key) + ", not both");
    }
    if (from_env) return read_env_secret(*from_env, env_key, file_key);
    if (from_file) return read_file_secret(*from_file);
    return std::nullopt;
  }

  Secret read_env_secret(const Value& value, std::string_view env_key, std::string_view file_key) {
    const auto name = detail::sole_env_reference(value.raw_scalar());
    if (!name) {
      value.fail("secrets cannot be written into the configuration file; use " +
                 std::string(env_key) + ": ${ENV_VAR} or " + std::string(file_key) +
                 ": /path/to/file");
    }
    auto secret = doc_.env().get(*name);
    if (!secret) value.fail(detail::unset_variable_message(*name));
    if (secret->empty()) value.fail("environment variable " + *name + " is empty");
    doc_.remember_secret(*secret);
    return Secret(std::move(*secret), "environment " + *name);
  }

  Secret read_file_secret(const Value& value) {
    const auto path = resolve(non_empty(value));
    auto file = detail::read_text_file(path, kMaxSecretBytes);
    if (!file.error.empty()) {
      value.fail("cannot read secret file " + path.string() + ": " + file.error);
    }
    // Editors and `echo` add a final newline that is never part of the secret.
    while (!file.text.empty() && (file.text.back() == '\n' || file.text.back() == '\r')) {
      file.text.pop_back();
    }
    if (file.text.empty()) value.fail("secret file " + path.string() + " is empty");
    doc_.remember_secret(file.text);
    if (detail::world_readable(path)) {
      warn(value, "secret file " + path.string() +
                      " is readable by every user; restrict it (chmod 600, or 640 for a group)");
    }
    return Secret(std::move(file.text), "file " + path.string());
  }

  void read_feeds(const Map& root) {
    const auto value = root.get("feeds");
    if (!value) {
      if (auto mark = root.key_mark("feeds")) {
        doc_.fail(*mark, "feeds", "at least one feed is required");
      }
      root.fail_missing("feeds", "required key is missing (at least one feed)");
    }
    const auto items = value->list();
    if (items.empty()) value->fail("at least one feed is required");

    struct FirstUse {
      std::string feed_path;
      YAML::Mark name_mark;
    };
    std::map<std::string, FirstUse> names;
    config_.feeds.reserve(items.size());
    for (const auto& item : items) {
      FeedConfig feed = read_feed(item);
      const auto name = item.map({}).require("name");
      const auto [it, fresh] = names.emplace(feed.name, FirstUse{item.path(), name.mark()});
      if (!fresh) {
        name.fail("duplicate feed name " + quote(feed.name) + " (also used by " +
                  it->second.feed_path + " at " + doc_.location(it->second.name_mark) + ")");
      }
      config_.feeds.push_back(std::move(feed));
    }
  }

  FeedConfig read_feed(const Value& item) {
    const Map map = item.map(known_keys("feeds[]"));
    FeedConfig feed;
    feed.pos = item.pos();
    const auto name = map.require("name");
    feed.name = checked(name, detail::parse_feed_name_value(name.scalar()));
    const auto feed_id = map.require("feed_id");
    feed.feed_id = checked(feed_id, detail::parse_feed_id_value(feed_id.scalar()));
    if (auto deleted = map.get("deleted_feed_id")) {
      feed.deleted_feed_id = checked(*deleted, detail::parse_feed_id_value(deleted->scalar()));
    }
    feed.interval = read_duration(map, "interval", feed.interval, Zero::rejected);
    feed.full_scan_interval =
        read_duration(map, "full_scan_interval", feed.full_scan_interval, Zero::rejected);
    feed.deleted_interval = read_duration(map, "deleted_interval", feed.interval, Zero::rejected);
    if (!feed.deleted_feed_id && map.get("deleted_interval"))
      warn(*map.get("deleted_interval"), "deleted_interval has no effect without deleted_feed_id");
    feed.overlap = read_duration(map, "overlap", feed.overlap, Zero::allowed);
    if (feed.full_scan_interval < feed.interval) {
      const auto where =
          map.get("full_scan_interval") ? map.get("full_scan_interval") : map.get("interval");
      warn(*where, "full_scan_interval (" + format_duration(feed.full_scan_interval) +
                       ") is shorter than interval (" + format_duration(feed.interval) +
                       "), so every poll is a full scan");
    }
    feed.content_type = non_empty(map.require("content_type"));
    feed.positions.content_type = map.require("content_type").pos();
    const auto container = map.require("container");
    feed.positions.container = container.pos();
    feed.container = checked(container, detail::parse_container_value(container.scalar()));
    read_locale(map, feed);
    feed.publish = read_choice(map, "publish", feed.publish, kPublishModeNames);
    feed.delete_mode = read_choice(map, "delete", feed.delete_mode, kDeleteModeNames);
    feed.route_segment = read_choice(map, "route_segment", feed.route_segment, kRouteSegmentModeNames);
    read_translations(map, feed);

    const Map guard = map.section("delete_guard", known_keys("feeds[].delete_guard"));
    feed.delete_guard.min =
        read_int(guard, "min", feed.delete_guard.min, 0, std::numeric_limits<int>::max());
    if (auto ratio = guard.get("ratio")) {
      feed.delete_guard.ratio = checked(*ratio, detail::parse_number_value(ratio->scalar(), 0, 1));
    }
    feed.schedule = read_bool(map, "schedule", feed.schedule);
    const Map mapping = map.section("mapping", known_keys("feeds[].mapping"));
    read_mapping(mapping, feed);
    check_schedule(map, mapping, feed);
    if (feed.route_segment == RouteSegmentMode::follow && !feed.mapping.route_segment) {
      warn(*map.get("route_segment"),
           "follow has no effect without mapping.routeSegment (the CMS chooses the segment itself)");
    }
    feed.key_namespace = config_.cms.key_namespace;
    feed.shared_articles = config_.cms.articles_in_several_feeds;
    return feed;
  }

  // schedule: true needs a time and means publishing; a publishAt that cannot take effect is
  // kept (it is compiled and checked) but said to do nothing.
  void check_schedule(const Map& map, const Map& mapping, const FeedConfig& feed) {
    const auto publish_at = mapping.get("publishAt");
    if (feed.schedule) {
      const auto schedule = *map.get("schedule");
      if (!publish_at) schedule.fail("schedule: true needs mapping.publishAt, the expression of the publish time");
      if (feed.publish != PublishMode::immediate) {
        map.get("publish")->fail("schedule: true publishes articles (at mapping.publishAt), so publish must be "
                                 "immediate");
      }
    } else if (publish_at) {
      warn(*publish_at, "has no effect without schedule: true on the feed");
    }
  }

  // translations: group gives each translation its own locale version, so the locale must come
  // from lang_code: one fixed `locale` would put every translation of a group in one locale.
  void read_translations(const Map& map, FeedConfig& feed) {
    feed.translations = read_choice(map, "translations", feed.translations, kTranslationsNames);
    if (feed.translations == Translations::group && feed.locale) {
      map.get("translations")->fail("translations: group needs locale_map (lang_code -> CMS locale) instead of "
                                    "locale: with one fixed locale every translation would write the same "
                                    "locale version");
    }
  }

  void read_locale(const Map& map, FeedConfig& feed) {
    const auto locale = map.get("locale");
    const auto locale_map = map.get("locale_map");
    if (locale && locale_map) {
      fail_at_later_key(map, "locale", "locale_map", "set either locale or locale_map, not both");
    }
    if (locale) {
      feed.locale = non_empty(*locale);
      feed.positions.locale = locale->pos();
      return;
    }
    if (!locale_map) map.fail_missing("locale", "required key is missing (or locale_map)");
    const Map lang_codes = locale_map->map({});
    for (const auto& [lang_code, value] : lang_codes.entries()) {
      feed.locale_map[lang_code] = non_empty(value);
      feed.positions.locale_map[lang_code] = value.pos();
    }
    if (feed.locale_map.empty()) locale_map->fail("must map at least one lang_code");
  }

  void read_mapping(const Map& map, FeedConfig& feed) {
    auto expression = [&](const Value& value) {
      MappingExpr expr{non_empty(value), value.pos()};
      check_expression(value, expr.text);
      return expr;
    };
    feed.mapping.display_name = expression(map.require("displayName"));
    if (auto value = map.get("routeSegment")) feed.mapping.route_segment = expression(*value);
    if (auto value = map.get("publishAt")) feed.mapping.publish_at = expression(*value);
    const Map properties = map.section("properties", {});
    for (const auto& [name, value] : properties.entries()) {
      if (!is_property_name(name)) {
        doc_.fail(*properties.key_mark(name), value.path(),
                  "expected a CMS property name (a letter, then letters, digits or _), got " +
                      quote(name));
      }
      feed.mapping.properties.emplace_back(name, expression(value));
    }
  }

  // Compiled here, and again by the engine, so that a typo in a mapping stops the start (or the
  // reload) with its position instead of failing on every article.
  void check_expression(const Value& value, const std::string& text) const {
    const auto compiled = mapping::compile_expression(text);
    if (compiled) return;
    doc_.fail(expression_mark(value, text, compiled.error().offset), value.path(),
              compiled.error().message);
  }

  // Where byte `offset` of an expression is in the file: exact when the scalar appears in the
  // file as written (plain, or quoted without escapes, on one line, no ${VAR}); otherwise the
  // start of the scalar.
  YAML::Mark expression_mark(const Value& value, const std::string& text,
                             std::size_t offset) const {
    YAML::Mark mark = value.mark();
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= yaml_.size()) return mark;
    std::size_t start = static_cast<std::size_t>(mark.pos);
    if (yaml_[start] == '"' || yaml_[start] == '\'') ++start;
    if (yaml_.compare(start, text.size(), text) != 0) return mark;
    const auto shift = static_cast<int>(start - static_cast<std::size_t>(mark.pos) + offset);
    mark.pos += shift;
    mark.column += shift;
    return mark;
  }

  Document& doc_;
  std::filesystem::path base_dir_;
  Config& config_;
  std::string_view yaml_;
};

Config load(const std::string& yaml, const std::string& display_name, const Environment& env,
            const std::filesystem::path& base_dir) {
  Document doc(display_name, env);
  const YAML::Node root = detail::load_single_document(doc, yaml);
  const Value root_value(doc, root, "", root.Mark());
  const Map root_map = root_value.map(known_keys(""));

  Config config;
  config.file = display_name;
  Loader(doc, base_dir, config, yaml).load(root_map);
  return config;
}

}  // namespace

Config load_config_from_string(const std::string& yaml, const std::string& display_name,
                               const Environment& env) {
  return load(yaml, display_name, env, {});
}

Config load_config(const std::filesystem::path& file, const Environment& env) {
  auto text = detail::read_text_file(file, kMaxConfigBytes);
  if (!text.error.empty()) {
    throw ConfigError(file.string() + ": cannot read configuration file: " + text.error);
  }
  Config config = load(text.text, file.string(), env, file.parent_path());
  config.file = file;
  return config;
}

}  // namespace feedsync::config
