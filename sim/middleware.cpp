#include "sim/middleware.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

#include "sim/feed_render.hpp"

namespace feedsync::sim {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

}  // namespace

net::ServerResponse api_error(std::string_view api, int status, std::string_view message) {
  if (api == "cms" || api == "token") {
    json::object problem{{"type", "https://httpstatuses.io/" + std::to_string(status)},
                         {"title", reason(status)},
                         {"status", status},
                         {"detail", message}};
    return net::ServerResponse::text(status, json::serialize(problem), "application/problem+json");
  }
  return net::ServerResponse::json(status, render_feed_error(status, message));
}

net::Handler Middleware::wrap(std::string api, net::Handler inner) {
  apis_.insert(api);
  auto shared = std::make_shared<const net::Handler>(std::move(inner));
  // Not a coroutine itself (GCC 12): it returns the member coroutine's awaitable, whose frame
  // owns copies of everything it uses.
  return [this, api = std::move(api), shared](net::ServerRequest request) {
    return handle(api, shared, std::move(request));
  };
}

asio::awaitable<net::ServerResponse> Middleware::handle(std::string api,
                                                        std::shared_ptr<const net::Handler> inner,
                                                        net::ServerRequest request) {
  if (api == kControlApi) {
    // Hoisted out of the co_await expression: GCC 12 mishandles temporaries there.
    auto control = (*inner)(std::move(request));
    co_return co_await std::move(control);
  }

  const auto started = std::chrono::steady_clock::now();
  LoggedRequest entry;
  entry.method = request.method;
  entry.path = request.path;
  if (auto q = request.target.find('?'); q != std::string::npos) entry.query = request.target.substr(q + 1);
  entry.route = request.route;
  entry.api = api;
  entry.at_ms = clock_.now_ms();

  std::optional<FaultRule> fault = faults_.take(request.method, request.path, api);
  if (fault) entry.fault = std::string(to_string(fault->action));

  net::ServerResponse response;
  bool answered = false;
  if (fault && fault->action == FaultAction::delay) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(fault->delay);
    // A cancelled wait (server shutting down) just ends the delay early.
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  } else if (fault && fault->action == FaultAction::reset) {
    response.reset = true;
    answered = true;
  } else if (fault && fault->action == FaultAction::status) {
    if (fault->body) {
      response = net::ServerResponse::text(fault->status, *fault->body,
                                           fault->content_type.value_or("application/json"));
    } else {
      response = api_error(api, fault->status, "injected fault");
    }
    if (fault->retry_after) response.headers.set("Retry-After", *fault->retry_after);
    answered = true;
  }

  if (!answered) {
    if (auto retry_after = limits_.admit(api, clock_.steady_now())) {
      response = api_error(api, 429, "rate limit exceeded for " + api);
      response.headers.set("Retry-After", std::to_string(*retry_after));
      entry.fault = entry.fault.empty() ? "rate_limit" : entry.fault;
      answered = true;
    }
  }

  if (!answered) {
    auto routed = (*inner)(std::move(request));
    response = co_await std::move(routed);
    if (fault && fault->action == FaultAction::truncate) {
      const auto size = response.body.size();
      const auto at = fault->truncate_at.value_or(size / 2);
      response.truncate_body_at = size == 0 ? 0 : std::min(at, size - 1);
    } else if (fault && fault->action == FaultAction::malformed) {
      response.body = response.body.substr(0, response.body.size() / 2) + "\"<<malformed by feedsync-sim";
    } else if (fault && fault->action == FaultAction::rewrite) {
      for (auto at = response.body.find(fault->find); at != std::string::npos;
           at = response.body.find(fault->find, at + fault->replace.size())) {
        response.body.replace(at, fault->find.size(), fault->replace);
      }
    }
  }

  entry.status = response.reset ? 0 : response.status;
  entry.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  log_.record(std::move(entry));
  co_return response;
}

}  // namespace feedsync::sim
