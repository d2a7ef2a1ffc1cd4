// The bodies of test_server_run.hpp, compiled once into feedsync_net_test_support.
#include "unit/net/test_server_run.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace feedsync::testing {


boost::asio::awaitable<void> send_into(net::HttpClient* client, net::Request request,
                                              OptionalResult* out) {
  *out = co_await client->send(std::move(request));
}

// One after the other on one coroutine (so keep-alive reuse is exercised).
namespace {

boost::asio::awaitable<void> send_each(net::HttpClient* client,
                                              std::vector<net::Request> requests,
                                              std::vector<OptionalResult>* out) {
  for (auto& request : requests) {
    net::Request copy = request;
    out->push_back(co_await client->send(std::move(copy)));
  }
}

}  // namespace

std::vector<OptionalResult> run_concurrently(
    boost::asio::io_context& ioc, net::HttpClient& client, std::vector<net::Request> requests,
    std::chrono::seconds limit) {
  std::vector<OptionalResult> results(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i)
    boost::asio::co_spawn(ioc, send_into(&client, std::move(requests[i]), &results[i]),
                          boost::asio::detached);
  ioc.restart();
  ioc.run_for(limit);
  return results;
}

std::vector<OptionalResult> run_sequentially(
    boost::asio::io_context& ioc, net::HttpClient& client, std::vector<net::Request> requests,
    std::chrono::seconds limit) {
  std::vector<OptionalResult> results;
  boost::asio::co_spawn(ioc, send_each(&client, std::move(requests), &results),
                        boost::asio::detached);
  ioc.restart();
  ioc.run_for(limit);
  return results;
}

OptionalResult run_one(boost::asio::io_context& ioc, net::HttpClient& client,
                              net::Request request,
                              std::chrono::seconds limit) {
  std::vector<net::Request> one{std::move(request)};
  return std::move(run_concurrently(ioc, client, std::move(one), limit)[0]);
}

net::Request get(std::string url) {
  net::Request request;
  request.url = std::move(url);
  return request;
}

}  // namespace feedsync::testing
