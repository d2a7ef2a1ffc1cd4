// The bodies of sim_test_support.hpp, compiled once into feedsync_sim_test_support.
#include "unit/sim/sim_test_support.hpp"

#include <stdexcept>

namespace feedsync::sim::testing {

SimHarness::SimHarness(SimulatorOptions options, std::function<void(Simulator&)> setup) {
  loop_.call([&] {
    sim_ = std::make_unique<Simulator>(loop_.io(), std::move(options), clock_);
    if (setup) setup(*sim_);
    sim_->start();
    port_ = sim_->port();
  });
}

SimHarness::~SimHarness() {
  loop_.await(sim_->stop(std::chrono::milliseconds(500)));
  loop_.call([&] { sim_.reset(); });
}

void SimHarness::advance_s(std::int64_t seconds) { sim_->clock().advance_ms(seconds * 1000); }

Reply SimHarness::request(std::string_view method, std::string_view target, std::string_view body,
                          std::string_view content_type, std::string_view extra_headers) {
  auto client = net::testing::connect_client(port_, kRequestWait);
  std::string wire = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: sim\r\n";
  wire += extra_headers;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    wire += "Content-Type: " + std::string(content_type) + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  wire += "\r\n" + std::string(body);
  if (auto ec = client->write(wire)) throw std::runtime_error("write failed: " + ec.message());
  boost::system::error_code ec;
  auto response = client->read_response(&ec, method == "HEAD");
  if (!response) throw std::runtime_error("no response to " + std::string(target) + ": " + ec.message());
  return Reply{response->status, response->headers, response->body};
}

std::unique_ptr<RawClient> SimHarness::raw(std::string_view target) {
  auto client = net::testing::connect_client(port_);
  if (auto ec = client->write(net::testing::get_request(target)))
    throw std::runtime_error("write failed: " + ec.message());
  return client;
}

}  // namespace feedsync::sim::testing
