// feedsync-sim: the simulator as a process (docs/simulator.md). Prints one JSON line with the
// bound port when asked, so scripts can start it on port 0 and read where it listens.
#include <CLI/CLI.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "log/log.hpp"
#include "sim/article.hpp"
#include "sim/simulator.hpp"
#ifdef FEEDSYNC_SIM_HAS_CMS
#include "sim/attach_cms.hpp"
#include "sim/cms_schema_api.hpp"
#endif

namespace asio = boost::asio;
namespace json = boost::json;
using namespace feedsync;

namespace {

struct Args {
  std::string listen = "127.0.0.1:0";
  std::string seed_file;
  std::size_t generate = 0;
  std::size_t languages = 1;
  std::size_t feeds = 1;
  std::uint64_t seed = 1;
  std::string feed_id = "simfeed0000000000000000000000001";
  std::string deleted_feed_id;
  std::string feed_title = "feedsync-sim feed";
  std::string tls_cert;
  std::string tls_key;
  bool print_ports = false;
  std::string guid_property = "CmpGuid";
  std::vector<std::string> allowed_domains;
  std::size_t request_log_size = 10'000;
  std::string log_level = "info";
  std::string cms_client_id = "sim-client";
  std::string cms_client_secret = "sim-secret";
  bool cms_refuse_status_on_create = false;
  std::size_t page_cap = 0;
  std::string fields = "honoured";
  std::size_t share = 0;
  std::vector<std::string> faults;  // fault rules (JSON) installed at start
  std::string cms_content_types;     // a JSON file of ContentType definitions
  std::vector<std::string> cms_locales;
  std::vector<std::string> cms_containers;
  std::vector<std::string> cms_approvals;  // content types with an approval sequence
  int cms_route_collision = 400;           // the answer to a taken routeSegment
  std::string cms_webhook_verification = "challenge";  // how a webhook endpoint is verified
};

// "HOST:PORT" or "[V6]:PORT".
bool split_listen(const std::string& text, std::string& host, unsigned short& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    std::size_t used = 0;
    const auto value = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || value > 65535) return false;
    port = static_cast<unsigned short>(value);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

// A JSON list of (partial) articles, {"articles": [...], "deleted": [...]}, or a saved Feed API
// page {"entries": [{"content": {...}}]}: integrators can replay what their real feed served.
void load_seed_file(sim::Simulator& simulator, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read seed file " + path);
  std::stringstream text;
  text << in.rdbuf();
  const json::value doc = json::parse(text.str());
  auto add_all = [&](const json::value& list, const std::string& feed_id, bool from_entries) {
    if (!list.is_array()) throw std::runtime_error(path + ": expected a list of articles");
    for (const auto& item : list.get_array()) {
      const json::value* content = &item;
      if (from_entries) content = item.is_object() ? item.get_object().if_contains("content") : nullptr;
      if (!content || !content->is_object()) throw std::runtime_error(path + ": every article must be an object");
      auto added = simulator.store().add(feed_id, content->get_object());
      if (!added) throw std::runtime_error(path + ": " + added.error().message);
    }
  };
  const auto& options = simulator.options();
  if (doc.is_array()) {
    add_all(doc, options.feed_id, false);
  } else if (doc.is_object() && doc.get_object().contains("entries")) {
    // A page lists newest first; publish oldest first so the order survives.
    json::array entries = doc.get_object().at("entries").as_array();
    std::reverse(entries.begin(), entries.end());
    add_all(entries, options.feed_id, true);
  } else if (doc.is_object()) {
    if (const auto* live = doc.get_object().if_contains("articles")) add_all(*live, options.feed_id, false);
    if (const auto* deleted = doc.get_object().if_contains("deleted")) add_all(*deleted, options.deleted_feed_id, false);
  } else {
    throw std::runtime_error(path + ": expected a JSON list or object");
  }
}

// The ids --feeds N serves: the configured one, then simfeed0000000000000000000000002 ...
std::vector<std::string> feed_ids(const std::string& first, std::size_t count) {
  std::vector<std::string> ids{first};
  for (std::size_t k = 2; k <= count; ++k) {
    std::string digits = std::to_string(k);
    ids.push_back("simfeed" + std::string(25 - std::min<std::size_t>(digits.size(), 25), '0') + digits);
  }
  return ids;
}

void add_more_feeds(sim::Simulator& simulator, std::size_t count) {
  const auto ids = feed_ids(simulator.options().feed_id, count);
  for (std::size_t k = 1; k < ids.size(); ++k) {
    auto added = simulator.store().add_feed(ids[k], ids[k] + "deleted", "feedsync-sim feed " + std::to_string(k + 1));
    if (!added) throw std::runtime_error("--feeds: " + ids[k] + ": " + added.error().message);
  }
}

// --fault JSON: the rule POST /_sim/faults would add.
void install_fault(sim::Simulator& simulator, const std::string& text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object()) throw std::runtime_error("--fault: not a JSON object: " + text);
  auto rule = simulator.faults().add(value.as_object());
  if (!rule) throw std::runtime_error("--fault " + text + ": " + rule.error());
}

// --share N: the first N articles of the first feed (newest first) are listed in the second too.
void share_into_second_feed(sim::Simulator& simulator, std::size_t count) {
  const auto ids = feed_ids(simulator.options().feed_id, 2);
  const sim::Feed* first = simulator.store().feed(ids[0]);
  if (!simulator.store().feed(ids[1])) throw std::runtime_error("--share needs --feeds 2 or more");
  const auto articles = simulator.store().page(*first, sim::SortBy::position, 0, count);
  if (articles.size() < count)
    throw std::runtime_error("--share " + std::to_string(count) + ": the first feed has " +
                             std::to_string(articles.size()) + " articles");
  std::vector<std::string> guids;
  for (const auto* article : articles) guids.push_back(article->guid);
  for (const auto& guid : guids)
    if (auto e = simulator.store().share(guid, ids[1])) throw std::runtime_error("--share: " + e->message);
}

#ifdef FEEDSYNC_SIM_HAS_CMS
// --cms-content-types, --cms-locales, --cms-container.
void configure_cms_schema(sim::CmsSimOptions& options, const Args& args) {
  if (!args.cms_content_types.empty()) {
    std::ifstream in(args.cms_content_types);
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto value = json::parse(text.str(), ec);
    if (ec) throw std::runtime_error("--cms-content-types " + args.cms_content_types + ": not JSON: " + ec.message());
    auto types = sim::content_types_from_json(value);
    if (!types) throw std::runtime_error("--cms-content-types " + args.cms_content_types + ": " + types.error());
    for (auto& type : *types) {
      std::erase_if(options.content_types, [&](const sim::CmsContentType& t) { return t.name == type.name; });
      options.content_types.push_back(std::move(type));
    }
  }
  auto locales = sim::locales_from_list(args.cms_locales);
  if (!locales) throw std::runtime_error("--cms-locales: " + locales.error());
  options.locales = std::move(*locales);
  options.containers = args.cms_containers;
  for (const auto& name : args.cms_approvals) {
    auto type = std::find_if(options.content_types.begin(), options.content_types.end(),
                             [&](const sim::CmsContentType& t) { return t.name == name; });
    if (type == options.content_types.end()) throw std::runtime_error("--cms-approvals: no content type " + name);
    type->approvals = true;
  }
}
#endif

asio::awaitable<void> shutdown(sim::Simulator* simulator, asio::io_context* io) {
  log::info("feedsync-sim stopping");
  co_await simulator->stop(std::chrono::seconds(2));
  io->stop();
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  CLI::App app{"feedsync-sim: a local simulator of CMP Feed API v2, the canonical-link endpoint and the CMS REST API"};
  app.add_option("--listen", args.listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  app.add_option("--seed-file", args.seed_file, "JSON articles to publish at start")->check(CLI::ExistingFile);
  app.add_option("--generate", args.generate, "publish N generated articles at start");
  app.add_option("--feeds", args.feeds,
                 "serve N live feeds (each with its Deleted Feed): the first is --feed-id, the others "
                 "simfeed + K as 25 digits, K = 2..N; --generate fills every one")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--languages", args.languages,
                 "translations (issue 23): --generate makes groups of N articles sharing a group_id, one per "
                 "lang_code en, de, fr, es, it, nl, pt, sv (in that order)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, sim::kMaxTranslationLanguages));
  app.add_option("--seed", args.seed, "seed for --generate (same seed, same articles)")->capture_default_str();
  app.add_option("--feed-id", args.feed_id, "the live feed's id")->capture_default_str();
  app.add_option("--deleted-feed-id", args.deleted_feed_id, "its Deleted Feed's id (default: FEED_ID + \"deleted\")");
  app.add_option("--feed-title", args.feed_title, "the feed's title")->capture_default_str();
  auto* cert = app.add_option("--tls-cert", args.tls_cert, "PEM certificate chain: serve HTTPS")->check(CLI::ExistingFile);
  auto* key = app.add_option("--tls-key", args.tls_key, "PEM private key")->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  app.add_flag("--print-ports", args.print_ports, "print {\"port\":N,\"base_url\":...} on stdout once listening");
  app.add_option("--guid-property", args.guid_property, "CMS property holding the CMP guid (/_sim/check)")
      ->capture_default_str();
  app.add_option("--allowed-domains", args.allowed_domains, "canonical-link domains (comma list; default any)")
      ->delimiter(',');
  app.add_option("--request-log-size", args.request_log_size, "requests kept in /_sim/requests")->capture_default_str();
  app.add_option("--log-level", args.log_level, "trace|debug|info|warn|error")->capture_default_str();
  app.add_option("--cms-client-id", args.cms_client_id, "OAuth client id the CMS accepts")->capture_default_str();
  app.add_option("--cms-client-secret", args.cms_client_secret, "its secret")->capture_default_str();
  app.add_option("--fault", args.faults,
                 "a fault rule installed at start, as POST /_sim/faults takes it (repeatable), e.g. "
                 "'{\"api\":\"feed\",\"path\":\"deleted\",\"action\":\"status\",\"status\":500}' for a failing "
                 "Deleted Feed");
  app.add_option("--share", args.share,
                 "list the first N articles of the first feed in the second feed too (CMP publishing one "
                 "article to two feeds; needs --feeds 2 or more)")
      ->capture_default_str();
  app.add_option("--page-cap", args.page_cap,
                 "Feed API: at most N entries per page whatever pagesize asks, silently (0: no cap)")
      ->capture_default_str();
  app.add_option("--fields", args.fields,
                 "Feed API answer to fields=: honoured | ignored (full content) | no-entry-timestamps | flat "
                 "(no content wrapper)")
      ->capture_default_str()
      ->check(CLI::IsMember({"honoured", "ignored", "no-entry-timestamps", "flat"}));
  app.add_flag("--cms-refuse-status-on-create", args.cms_refuse_status_on_create,
               "flat CMS API: refuse status in create/new-version bodies (400), set it only by PATCH");
  app.add_option("--cms-content-types", args.cms_content_types,
                 "CMS content types as a JSON list in the vendor's ContentType shape ({key, baseType, properties: "
                 "{Name: {type, isRequired, items}}}); they replace the built-in ones of the same key")
      ->check(CLI::ExistingFile);
  app.add_option("--cms-locales", args.cms_locales,
                 "the CMS's only locales, e.g. en,de,fr:off (:off = not enabled; default: every locale, enabled)")
      ->delimiter(',');
  app.add_option("--cms-container", args.cms_containers, "a CMS container key besides the root (repeatable)");
  app.add_option("--cms-approvals", args.cms_approvals,
                 "a CMS content type with an approval sequence: versions made ready go to inReview (repeatable)");
  app.add_option("--cms-route-collision", args.cms_route_collision,
                 "the answer to a write whose routeSegment another item holds: 400 (a field error) or 409 "
                 "(Conflict naming routeSegment)")
      ->capture_default_str()
      ->check(CLI::IsMember({400, 409}));
  app.add_option("--cms-webhook-verification", args.cms_webhook_verification,
                 "how POST /v1/experimental/webhooks verifies the endpoint: challenge (a JSON challenge to echo), "
                 "event-grid (Azure Event Grid's validation) or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"challenge", "event-grid", "none"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help answers 0; any bad command line 2, as documented (CLI11's own codes vary by error).
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  auto level = log::parse_level(args.log_level);
  if (!level) {
    std::cerr << "feedsync-sim: unknown log level " << args.log_level << "\n";
    return 2;
  }
  log::configure({.level = *level, .format = log::Format::text, .journal = log::stderr_is_journal()});

  sim::SimulatorOptions options;
  if (!split_listen(args.listen, options.server.host, options.server.port)) {
    std::cerr << "feedsync-sim: --listen wants HOST:PORT, got " << args.listen << "\n";
    return 2;
  }
  if (!args.tls_cert.empty()) options.server.tls = net::ServerTlsOptions{args.tls_cert, args.tls_key};
  options.feed_id = args.feed_id;
  options.deleted_feed_id = args.deleted_feed_id;
  options.feed_title = args.feed_title;
  options.allowed_domains = args.allowed_domains;
  options.guid_property = args.guid_property;
  options.request_log_capacity = args.request_log_size;

  try {
    asio::io_context io;
    SystemClock system_clock;
    sim::Simulator simulator(io, options, system_clock);
    simulator.feed_api().set_behaviour({args.page_cap, *sim::parse_fields_mode(args.fields)});
#ifdef FEEDSYNC_SIM_HAS_CMS
    sim::CmsSimOptions cms_options;
    cms_options.credentials = {{args.cms_client_id, args.cms_client_secret}};
    cms_options.refuse_status_on_create = args.cms_refuse_status_on_create;
    cms_options.route_collision_status = args.cms_route_collision;
    cms_options.webhook_verification = args.cms_webhook_verification == "event-grid" ? sim::CmsWebhookVerification::event_grid
                                       : args.cms_webhook_verification == "none"     ? sim::CmsWebhookVerification::none
                                                                                      : sim::CmsWebhookVerification::challenge;
    configure_cms_schema(cms_options, args);
    auto cms = sim::attach_cms_sim(simulator, std::move(cms_options));
#endif
    if (!args.seed_file.empty()) load_seed_file(simulator, args.seed_file);
    add_more_feeds(simulator, args.feeds);
    if (args.generate > 0) {
      // One stream of generated articles cut into a slice per feed, so guids never collide.
      std::uint64_t start = 0;
      for (const auto& id : feed_ids(options.feed_id, args.feeds)) {
        sim::GenerateRequest request{
            .count = args.generate, .seed = args.seed, .start = start, .backdate = true, .languages = args.languages};
        auto made = simulator.store().generate(id, request);
        if (!made) throw std::runtime_error(id + ": " + made.error().message);
        start += args.generate;
      }
    }
    if (args.share > 0) share_into_second_feed(simulator, args.share);
    for (const auto& text : args.faults) install_fault(simulator, text);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (!ec) asio::co_spawn(io, shutdown(&simulator, &io), asio::detached);
    });
    simulator.start();
    log::info("feedsync-sim listening", {{"base_url", simulator.base_url()},
                                         {"feed_id", options.feed_id},
                                         {"articles", std::to_string(simulator.store().article_count())}});
    if (args.print_ports) {
      json::object line{{"port", simulator.port()}, {"base_url", simulator.base_url()}};
      std::cout << json::serialize(line) << std::endl;
    }
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "feedsync-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
