// The bodies of cms_sim_stack.hpp, compiled once into feedsync_integration_support.
#include "integration/cms_sim_stack.hpp"

namespace feedsync::integration {

CmsSimStack::CmsSimStack(StackOptions options) : options_(std::move(options)) {
  // FEEDSYNC_TEST_LOG=debug shows the wire (access log, retries) when a test fails.
  if (const char* level = std::getenv("FEEDSYNC_TEST_LOG"))
    if (auto parsed = log::parse_level(level)) log::configure({.level = *parsed});
  loop_.call([&] {
    sim::SimulatorOptions sim_options;
    sim_options.allowed_domains = options_.allowed_domains;
    sim_ = std::make_unique<sim::Simulator>(loop_.io(), std::move(sim_options), base_clock_);
    sim::CmsSimOptions cms_options;
    cms_options.credentials = {{kClientId, kClientSecret}};
    cms_options.token_lifetime = options_.token_lifetime;
    cms_options.refuse_status_on_create = options_.refuse_status_on_create;
    cms_options.route_collision_status = options_.route_collision_status;
    for (auto& type : cms_options.content_types) type.approvals = options_.approvals && type.name == "ArticlePage";
    cms_ = sim::attach_cms_sim(*sim_, std::move(cms_options));
    sim_->start();
    base_url_ = sim_->base_url();

    beast_ = std::make_unique<net::BeastHttpClient>(loop_.io().get_executor(), net::ClientOptions{});
    net::RetryingClientOptions retry;
    retry.seed = 42;
    retrying_ = std::make_unique<net::RetryingHttpClient>(*beast_, system_clock_, std::move(retry));
    tokens_ = std::make_unique<cms::TokenSource>(*retrying_, sim_->clock(), token_options(options_.client_secret));

    cms::CmsClientOptions client;
    client.api = options_.api;
    client.base_url = cms_base();
    client.transport.timeout = 5s;
    client.sink.verify_writes = options_.verify_writes;
    client.sink.fresh_version_delay = 20ms;
    client.sink.clock = &sim_->clock();  // "is the publish time ahead?" on the simulated clock
    sink_ = cms::make_cms_sink(*retrying_, *tokens_, std::move(client));

    cms::CanonicalClientOptions canonical;
    canonical.endpoint = base_url_ + "/customer_canonical_link";
    canonical.timeout = 5s;
    canonical_ = std::make_unique<cms::CanonicalClient>(*retrying_, std::move(canonical));
  });
}

CmsSimStack::~CmsSimStack() {
  loop_.call([&] {
    canonical_.reset();
    sink_.reset();
    tokens_.reset();
    retrying_.reset();
    beast_->close_idle();
    beast_.reset();
  });
  loop_.await(sim_->stop(500ms));
  loop_.call([&] {
    cms_.reset();
    sim_.reset();
  });
}

std::string CmsSimStack::cms_base() const {
  return base_url_ + (options_.api == config::CmsApi::v1 ? "/v1" : "/_cms/version2");
}

std::string CmsSimStack::token_url() const {
  // The flat API issues tokens under its base; the v1 API at the host root.
  return options_.api == config::CmsApi::v1 ? base_url_ + "/oauth/token" : cms_base() + "/oauth/token";
}

cms::TokenOptions CmsSimStack::token_options(const std::string& secret) const {
  cms::TokenOptions options;
  options.token_url = token_url();
  options.client_id = kClientId;
  options.client_secret = config::Secret(secret, "test");
  options.refresh_skew = options_.refresh_skew;
  options.auth_retry_interval = 60s;
  options.timeout = 5s;
  return options;
}

cms::CmsResult CmsSimStack::upsert(cms::UpsertRequest request) { return await(sink_->upsert(std::move(request))); }

cms::CmsResult CmsSimStack::remove(cms::ArticleRef article, bool permanent) {
  return await(sink_->remove(std::move(article), permanent));
}

cms::CmsResult CmsSimStack::undelete(cms::ArticleRef article) { return await(sink_->undelete(std::move(article))); }

Expected<cms::CanonicalOutcome, cms::CmsError> CmsSimStack::post_canonical(cms::CanonicalPost post) {
  return await(canonical_->post(std::move(post)));
}

std::pair<int, json::value> CmsSimStack::control(net::Method method, std::string path, const json::object& body) {
  return await(send_control(this, method, base_url_ + std::move(path), json::serialize(body)));
}

std::string CmsSimStack::sim_time(std::chrono::seconds offset) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(sim_->clock().system_now().time_since_epoch());
  return format_rfc3339_ms((now + offset).count());
}

int CmsSimStack::cms_get_status(std::string path_and_query) {
  return await(get_status(this, cms_base() + std::move(path_and_query)));
}

cms::TokenSource::Status CmsSimStack::token_status() {
  return on_loop([&] { return tokens_->status(); });
}

void CmsSimStack::advance(std::chrono::seconds d) {
  sim_->clock().advance_ms(std::chrono::milliseconds(d).count());
}

std::optional<json::object> CmsSimStack::cms_item(const std::string& key) {
  return on_loop([&]() -> std::optional<json::object> {
    const json::value items = cms_->items_json();
    for (const auto& item : items.as_array())
      if (item.as_object().at("key").as_string() == key) return item.as_object();
    return std::nullopt;
  });
}

json::object CmsSimStack::counters() {
  return on_loop([&] { return sim_->requests().counters_json(); });
}

std::size_t CmsSimStack::requests_with_status(int status) {
  std::size_t n = 0;
  const json::object all = counters();
  for (const auto& [route, counter] : all.at("routes").as_object())
    if (const auto* c = counter.as_object().at("statuses").as_object().if_contains(std::to_string(status)))
      n += c->to_number<std::size_t>();
  return n;
}

std::size_t CmsSimStack::api_count(const std::string& api) {
  auto c = counters();
  const auto* n = c.at("apis").as_object().if_contains(api);
  return n ? n->to_number<std::size_t>() : 0;
}

net::HttpClient& CmsSimStack::http() { return *retrying_; }
cms::CmsSink& CmsSimStack::sink() { return *sink_; }
const Clock& CmsSimStack::sim_clock() { return sim_->clock(); }

boost::asio::awaitable<int> CmsSimStack::get_status(CmsSimStack* self, std::string url) {
  auto token = co_await self->tokens_->token();
  if (!token) throw std::runtime_error("no token: " + token.error().message);
  net::Request request;
  request.method = net::Method::get;
  request.url = std::move(url);
  request.headers.set("Authorization", "Bearer " + *token);
  request.headers.set("Accept", "application/json");
  request.timeout = 5s;
  auto result = co_await self->retrying_->send(std::move(request));
  if (!result) throw std::runtime_error("GET failed: " + result.error().message);
  co_return result->status;
}

boost::asio::awaitable<std::pair<int, json::value>> CmsSimStack::send_control(CmsSimStack* self, net::Method method,
                                                                             std::string url, std::string body) {
  net::Request request;
  request.method = method;
  request.url = std::move(url);
  request.headers.set("Content-Type", "application/json");
  request.body = std::move(body);
  request.timeout = 5s;
  auto result = co_await self->retrying_->send(std::move(request));
  if (!result) throw std::runtime_error("control call failed: " + result.error().message);
  json::value parsed;
  if (!result->body.empty()) parsed = json::parse(result->body);
  co_return std::pair<int, json::value>{result->status, std::move(parsed)};
}

std::string test_key(int n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "feed0000000000000000000%09d", n);
  return buf;
}

ArticleDocument payload(const std::string& key, const std::string& title, const std::string& body,
                        const std::string& publish) {
  ArticleDocument doc;
  doc.key = key;
  doc.content_type = "ArticlePage";
  doc.container = sim::kCmsRootContainer;
  doc.locale = "en";
  doc.display_name = title;
  doc.properties = json::object{{"Heading", title}, {"Body", body}, {"CmpGuid", "guid-" + key}};
  doc.publish = publish;
  doc.rich_text = {"Body"};
  return doc;
}

cms::ArticleRef article(const std::string& key) { return {"integ", "guid-" + key, key}; }

cms::UpsertRequest upsert_request(const std::string& key, const std::string& title, bool known,
                                  const std::string& body) {
  return {article(key), payload(key, title, body), known};
}

cms::UpsertRequest scheduled_request(const std::string& key, const std::string& title, bool known,
                                     json::value publish_at) {
  cms::UpsertRequest request = upsert_request(key, title, known);
  request.document.scheduling = true;
  if (publish_at.is_string()) request.document.publish_at_ms = parse_rfc3339_ms(publish_at.as_string());
  return request;
}

}  // namespace feedsync::integration
