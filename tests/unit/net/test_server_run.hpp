#pragma once
// Drives the client from a test: every request runs as its own coroutine on the test's
// io_context, and the io_context runs until they all finish or a hard limit passes (a hang is a
// failure to report, not a test that never ends). Compiled once, in test_server_run.cpp.

#include <chrono>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "net/http_client.hpp"

namespace feedsync::testing {

using OptionalResult = std::optional<net::Result>;

// One request as a coroutine: its result lands in `*out`.
boost::asio::awaitable<void> send_into(net::HttpClient* client, net::Request request, OptionalResult* out);

// Runs the requests concurrently; a result stays nullopt if its request did not finish in time.
std::vector<OptionalResult> run_concurrently(boost::asio::io_context& ioc, net::HttpClient& client,
                                             std::vector<net::Request> requests,
                                             std::chrono::seconds limit = std::chrono::seconds(20));

// One after the other on one coroutine (so keep-alive reuse is exercised).
std::vector<OptionalResult> run_sequentially(boost::asio::io_context& ioc, net::HttpClient& client,
                                             std::vector<net::Request> requests,
                                             std::chrono::seconds limit = std::chrono::seconds(20));

OptionalResult run_one(boost::asio::io_context& ioc, net::HttpClient& client, net::Request request,
                       std::chrono::seconds limit = std::chrono::seconds(20));

net::Request get(std::string url);

}  // namespace feedsync::testing
