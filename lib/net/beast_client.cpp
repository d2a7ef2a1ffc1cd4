#include "net/beast_client.hpp"

#include <stdexcept>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/strings.hpp"
#include "core/version.hpp"
#include "log/log.hpp"
#include "net/beast_client_impl.hpp"
#include "net/tls.hpp"

namespace feedsync::net {

namespace http = boost::beast::http;

namespace {

http::verb to_verb(Method method) {
  switch (method) {
    case Method::get: return http::verb::get;
    case Method::head: return http::verb::head;
    case Method::post: return http::verb::post;
    case Method::put: return http::verb::put;
    case Method::patch: return http::verb::patch;
    case Method::delete_: return http::verb::delete_;
  }
  return http::verb::get;
}

// RFC 9110 token characters: anything else in a header name, or CR/LF/NUL in a value, would let
// a caller's input (a configured header, a feed value) split the request.
bool valid_header(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

Expected<BeastRequest, Error> build_request(const BeastHttpClient::Impl& impl,
                                            const Request& request, const UrlTarget& target) {
  // Plain http through a proxy goes in absolute form; the proxy forwards it.
  const bool absolute = target.via_proxy && !target.https;
  BeastRequest out{to_verb(request.method),
                   absolute ? "http://" + target.authority + target.target : target.target, 11};
  for (const auto& header : request.headers) {
    if (!valid_header(header.name, header.value))
      return unexpected(Error{ErrorKind::protocol,
                              "invalid request header \"" + header.name + "\" for " + target.host});
    out.insert(header.name, header.value);
  }
  if (!request.headers.contains("Host")) out.set(http::field::host, target.authority);
  if (!request.headers.contains("User-Agent"))
    out.set(http::field::user_agent, impl.options.user_agent);
  if (!request.headers.contains("Accept-Encoding")) out.set(http::field::accept_encoding, "gzip");
  if (absolute && !impl.proxy->authorization.empty())
    out.set(http::field::proxy_authorization, impl.proxy->authorization);
  out.body() = request.body;
  out.prepare_payload();
  return out;
}

}  // namespace

Expected<UrlTarget, Error> parse_url_target(std::string_view url) {
  auto invalid = [&](std::string_view why) {
    // The URL itself may carry a key in its query: name only what is wrong.
    return unexpected(Error{ErrorKind::invalid_url, "invalid URL: " + std::string(why)});
  };
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return invalid("not an absolute URI");
  const boost::urls::url_view& u = *parsed;
  UrlTarget t;
  if (u.scheme_id() == boost::urls::scheme::https)
    t.https = true;
  else if (u.scheme_id() != boost::urls::scheme::http)
    return invalid("scheme is not http or https");
  if (!u.has_authority()) return invalid("no host");

  std::string bracketed;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv6:
      t.host = u.host_ipv6_address().to_string();
      bracketed = "[" + t.host + "]";
      break;
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::name:
      t.host = ascii_lower(u.encoded_host());
      bracketed = t.host;
      break;
    default: return invalid("unsupported host");
  }
  if (t.host.empty() || t.host.find('%') != std::string::npos) return invalid("bad host");

  const char* default_port = t.https ? "443" : "80";
  if (u.has_port() && !u.port().empty()) {
    if (!valid_port(u.port())) return invalid("bad port");
    t.port = std::to_string(std::stoul(std::string(u.port())));  // "0080" -> "80"
  } else {
    t.port = default_port;
  }
  t.authority = t.port == default_port ? bracketed : bracketed + ":" + t.port;
  t.host_port = bracketed + ":" + t.port;
  t.path = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  t.target = t.path;
  if (u.has_query()) t.target += "?" + std::string(u.encoded_query());
  t.origin_key = std::string(t.https ? "https://" : "http://") + t.host_port;
  return t;
}

Error timeout_error(std::string_view doing, const Deadline& deadline, SteadyClock::time_point stage_end,
                    std::string_view stage_name, std::chrono::milliseconds stage_limit) {
  std::string message = "timed out " + std::string(doing);
  if (!stage_name.empty() && stage_end < deadline.at)
    message += " (" + std::string(stage_name) + " " + std::to_string(stage_limit.count()) + " ms)";
  else
    message += ": request deadline of " + std::to_string(deadline.budget.count()) + " ms passed";
  return Error{ErrorKind::timeout, std::move(message)};
}

BeastHttpClient::Impl::Impl(boost::asio::any_io_executor ex, ClientOptions opts)
    : executor(ex),
      options(std::move(opts)),
      pool(ex, options.max_connections_per_origin, options.idle_timeout) {
  if (options.max_connections_per_origin == 0)
    throw std::invalid_argument("max_connections_per_origin must be at least 1");
  if (options.user_agent.empty()) options.user_agent = std::string("feedsync/") + kVersion;
  if (options.proxy.enabled()) {
    proxy = parse_proxy_url(options.proxy.url);
    // Credentials may be in the URL: never repeat it.
    if (!proxy) throw std::invalid_argument("invalid proxy URL (expected http://host:port)");
  }
  tls_context = tls::make_client_context(options.ca_file, options.insecure_skip_verify);
  if (options.insecure_skip_verify)
    log::warn("TLS certificate verification is disabled (insecure_skip_verify)");
}

namespace {

struct Progress {
  std::string host = "-";
  std::string path = "-";
  bool reused = false;
  std::size_t wire_bytes = 0;
};

boost::asio::awaitable<Result> perform(BeastHttpClient::Impl* impl, const Request* request,
                                       Deadline deadline, Progress* progress) {
  auto parsed = parse_url_target(request->url);
  if (!parsed) co_return unexpected(std::move(parsed).error());
  UrlTarget target = std::move(parsed.value());
  target.via_proxy = impl->proxy.has_value() && impl->options.proxy.applies_to(target.host);
  progress->host = target.host;
  progress->path = target.path;

  auto built = build_request(*impl, *request, target);
  if (!built) co_return unexpected(std::move(built).error());
  const BeastRequest beast_request = std::move(built.value());

  auto acquired = co_await ConnectionPool::acquire(&impl->pool, target.origin_key, deadline.at);
  if (!acquired) {
    if (acquired.error().cancelled)
      co_return unexpected(Error{ErrorKind::cancelled,
                                 "cancelled while waiting for a connection to " + target.host});
    co_return unexpected(
        timeout_error("waiting for a free connection to " + target.host_port + " (" +
                          std::to_string(impl->options.max_connections_per_origin) + " per origin)",
                      deadline, deadline.at, {}, {}));
  }
  Lease lease = std::move(acquired.value());

  ExchangeLimits limits{deadline, request->max_body ? request->max_body : impl->options.max_body,
                        request->method == Method::head, target.host};
  for (int attempt = 0;; ++attempt) {
    if (!lease.conn) {
      auto opened = co_await open_connection(impl, target, deadline);
      if (!opened) co_return unexpected(std::move(opened).error());
      lease.conn = std::move(opened.value());
      lease.reused = false;
    }
    progress->reused = lease.reused;
    auto exchanged = co_await exchange(lease.conn.get(), &beast_request, limits);
    if (exchanged) {
      progress->wire_bytes = exchanged->wire_bytes;
      if (exchanged->keep_alive) lease.give_back();
      co_return std::move(exchanged->response);
    }
    progress->wire_bytes = exchanged.error().wire_bytes;
    // Either the server closed the kept-alive connection just as we reused it, or it read the
    // request and then died. We cannot tell which, so only an idempotent request goes again.
    if (exchanged.error().stale && lease.reused && attempt == 0 && request->is_idempotent()) {
      log::debug("http stale pooled connection, retrying on a fresh one",
                 {{"host", target.host}, {"reason", exchanged.error().error.message}});
      lease.conn->close();
      lease.conn.reset();
      continue;
    }
    co_return unexpected(std::move(exchanged).error().error);
  }
}

}  // namespace

boost::asio::awaitable<Result> BeastHttpClient::Impl::send(std::shared_ptr<Impl> self,
                                                           Request request) {
  // Cancellation must come back as ErrorKind::cancelled, not as an exception out of send().
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  const std::uint64_t id = ++self->last_request_id;
  const auto started = SteadyClock::now();
  const auto budget = request.timeout.count() > 0 ? request.timeout : self->options.request_timeout;
  const Deadline deadline{started + budget, budget};

  Progress progress;
  Result result = unexpected(Error{ErrorKind::protocol, "not sent"});
  try {
    result = co_await perform(self.get(), &request, deadline, &progress);
  } catch (const boost::system::system_error& e) {
    // Every I/O step reports through error codes; this is a belt for an overload that throws.
    const bool cancelled = e.code() == boost::asio::error::operation_aborted;
    result = unexpected(Error{cancelled ? ErrorKind::cancelled : ErrorKind::protocol,
                              std::string("request to ") + progress.host + " failed: " + e.what()});
  }

  RequestMetrics metrics;
  metrics.request_id = id;
  metrics.method = request.method;
  metrics.host = progress.host;
  metrics.duration = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  metrics.bytes_sent = request.body.size();
  metrics.bytes_received = progress.wire_bytes;
  metrics.reused = progress.reused;
  if (result)
    metrics.status = result->status;
  else
    metrics.error = result.error().kind;

  if (log::enabled(log::Level::debug)) {
    const std::string status = result ? std::to_string(metrics.status) : "0";
    log::debug("http request", {{"request_id", std::to_string(id)},
                                {"method", std::string(to_string(request.method))},
                                {"host", metrics.host},
                                {"path", progress.path},
                                {"status", status},
                                {"duration_ms", std::to_string(metrics.duration.count())},
                                {"reused", metrics.reused ? "true" : "false"},
                                {"error", result ? std::string("-")
                                                 : std::string(to_string(result.error().kind))}});
  }
  if (self->options.on_complete) self->options.on_complete(metrics);
  co_return result;
}

BeastHttpClient::BeastHttpClient(boost::asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

BeastHttpClient::~BeastHttpClient() {
  // Requests still in flight hold the Impl; idle connections have no reason to stay open.
  impl_->pool.close_idle(true);
}

boost::asio::awaitable<Result> BeastHttpClient::send(Request request) {
  return Impl::send(impl_, std::move(request));
}

void BeastHttpClient::close_idle() { impl_->pool.close_idle(true); }

BeastHttpClient::PoolStats BeastHttpClient::pool_stats() const {
  return {impl_->pool.open_count(), impl_->pool.idle_count()};
}

}  // namespace feedsync::net
