#pragma once
// Drives the client from a test: every request runs as its own coroutine on the test's
// io_context, and the io_context runs until they all finish or a hard limit passes (a hang is a
// failure to report, not a test that never ends).

#include <chrono>
#include <optional>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/http_client.hpp"

namespace feedsync::testing {

using OptionalResult = std::optional<net::Result>;

inline boost::asio::awaitable<void> send_into(net::HttpClient* client, net::Request request,
                                              OptionalResult* out) {
  *out = co_await client->send(std::move(request));
}

// One after the other on one coroutine (so keep-alive reuse is exercised).
inline boost::asio::awaitable<void> send_each(net::HttpClient* client,
                                              std::vector<net::Request> requests,
                                              std::vector<OptionalResult>* out) {
  for (auto& request : requests) {
    net::Request copy = request;
    out->push_back(co_await client->send(std::move(copy)));
  }
}

// Runs the requests concurrently; a result stays nullopt if its request did not finish in time.
inline std::vector<OptionalResult> run_concurrently(
    boost::asio::io_context& ioc, net::HttpClient& client, std::vector<net::Request> requests,
    std::chrono::seconds limit = std::chrono::seconds(20)) {
  std::vector<OptionalResult> results(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i)
    boost::asio::co_spawn(ioc, send_into(&client, std::move(requests[i]), &results[i]),
                          boost::asio::detached);
  ioc.restart();
  ioc.run_for(limit);
  return results;
}

inline std::vector<OptionalResult> run_sequentially(
    boost::asio::io_context& ioc, net::HttpClient& client, std::vector<net::Request> requests,
    std::chrono::seconds limit = std::chrono::seconds(20)) {
  std::vector<OptionalResult> results;
  boost::asio::co_spawn(ioc, send_each(&client, std::move(requests), &results),
                        boost::asio::detached);
  ioc.restart();
  ioc.run_for(limit);
  return results;
}

inline OptionalResult run_one(boost::asio::io_context& ioc, net::HttpClient& client,
                              net::Request request,
                              std::chrono::seconds limit = std::chrono::seconds(20)) {
  std::vector<net::Request> one{std::move(request)};
  return std::move(run_concurrently(ioc, client, std::move(one), limit)[0]);
}

inline net::Request get(std::string url) {
  net::Request request;
  request.url = std::move(url);
  return request;
}

}  // namespace feedsync::testing
