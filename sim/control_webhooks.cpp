// The simulator's webhook control routes (issue 19): a CMP webhook sender and the read-back of
// every delivery the simulator made (CMP and CMS alike).
//
//   POST   /_sim/cmp/webhooks:deliver   {"url", "secret"?, "events"?, "count"?, "reorder"?, "seed"?,
//                                        "concurrency"?, "payload"?}: sends the deliveries and
//                                        answers once every one has its answer
//   GET    /_sim/webhooks/deliveries    ?source=cmp|cms&since=SEQ
//   DELETE /_sim/webhooks/deliveries
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "sim/control_api.hpp"
#include "sim/control_util.hpp"
#include "sim/simulator.hpp"
#include "sim/webhook_sender.hpp"

namespace feedsync::sim {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using control::error;
using control::reply;
using net::Method;
using net::ServerRequest;
using net::ServerResponse;

struct Planned {
  std::string event;
  std::string body;
};

struct Batch {
  std::string url;
  std::string secret;
  std::vector<Planned> planned;
  std::size_t concurrency = 16;
};

// The asset a generated event is about: a stable id per event name, so copies are duplicates.
std::string asset_id(std::size_t index) {
  static constexpr const char* kHex = "0123456789abcdef";
  std::mt19937_64 random(index + 1);
  std::string id;
  for (int i = 0; i < 32; ++i) id += kHex[random() % 16];
  return id;
}

Expected<Batch, ServerResponse> read_batch(const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return unexpected(body.error());
  Batch batch;
  const auto* url = body->if_contains("url");
  if (!url || !url->is_string()) return unexpected(error(400, "url is required"));
  batch.url = std::string(url->get_string());
  const auto parsed = boost::urls::parse_absolute_uri(batch.url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https"))
    return unexpected(error(400, "url must be an absolute http(s) URL"));
  if (const auto* secret = body->if_contains("secret")) {
    if (!secret->is_string()) return unexpected(error(400, "secret must be a string"));
    batch.secret = std::string(secret->get_string());
  }
  std::vector<std::string> events{"asset_added"};
  if (const auto* list = body->if_contains("events")) {
    if (!list->is_array() || list->get_array().empty()) return unexpected(error(400, "events must be a non-empty list"));
    events.clear();
    for (const auto& e : list->get_array()) {
      if (!e.is_string()) return unexpected(error(400, "events must be strings"));
      events.emplace_back(e.get_string());
    }
  }
  const auto count = control::int_field(*body, "count").value_or(1);
  if (count < 1 || count > 10'000) return unexpected(error(400, "count must be 1..10000"));
  const auto concurrency = control::int_field(*body, "concurrency").value_or(16);
  if (concurrency < 1 || concurrency > 64) return unexpected(error(400, "concurrency must be 1..64"));
  batch.concurrency = static_cast<std::size_t>(concurrency);
  const auto* payload = body->if_contains("payload");
  if (payload && !payload->is_object()) return unexpected(error(400, "payload must be an object"));
  for (std::size_t i = 0; i < events.size(); ++i) {
    json::object event = payload ? payload->get_object()
                                 : json::object{{"data", json::object{{"asset", json::object{{"id", asset_id(i)},
                                                                                             {"type", "article"}}}}}};
    event["event_name"] = events[i];
    for (std::int64_t c = 0; c < count; ++c) batch.planned.push_back({events[i], json::serialize(event)});
  }
  const auto* reorder = body->if_contains("reorder");
  if (reorder && reorder->is_bool() && reorder->get_bool()) {
    std::mt19937 random(static_cast<unsigned>(control::int_field(*body, "seed").value_or(1)));
    std::shuffle(batch.planned.begin(), batch.planned.end(), random);
  }
  return batch;
}

struct Run {
  Run(asio::any_io_executor ex, Batch b) : batch(std::move(b)), results(batch.planned.size()), done(ex) {
    done.expires_at(asio::steady_timer::time_point::max());
  }
  Batch batch;
  std::vector<WebhookDelivery> results;
  std::size_t next = 0;
  std::size_t workers = 0;
  asio::steady_timer done;
};

asio::awaitable<void> worker(std::shared_ptr<WebhookSender> sender, std::shared_ptr<Run> run) {
  while (run->next < run->batch.planned.size()) {
    const std::size_t i = run->next++;
    net::Headers headers;
    if (!run->batch.secret.empty()) headers.set("Callback-Secret", run->batch.secret);
    const auto& planned = run->batch.planned[i];
    auto sending = sender->send("cmp", planned.event, run->batch.url, std::move(headers), planned.body);
    run->results[i] = co_await std::move(sending);
  }
  if (--run->workers == 0) run->done.cancel();
}

json::object summary(const Run& run) {
  std::map<std::string, std::int64_t> statuses;
  json::array order, seqs;
  std::int64_t first = 0, last = 0;
  for (const auto& d : run.results) {
    ++statuses[d.status ? std::to_string(d.status) : "error"];
    order.emplace_back(d.event);
    seqs.emplace_back(d.seq);
    if (first == 0 || d.sent_ms < first) first = d.sent_ms;
    last = std::max(last, d.done_ms);
  }
  json::object by_status;
  for (const auto& [status, n] : statuses) by_status[status] = n;
  return json::object{{"deliveries", run.results.size()}, {"statuses", by_status}, {"order", order},
                      {"seqs", seqs}, {"first_sent_ms", first}, {"last_done_ms", last}};
}

asio::awaitable<ServerResponse> deliver(WebhookSender* sender, ServerRequest r) {
  auto batch = read_batch(r);
  if (!batch) co_return batch.error();
  auto executor = co_await asio::this_coro::executor;
  auto run = std::make_shared<Run>(executor, std::move(*batch));
  run->workers = std::min(run->batch.concurrency, run->batch.planned.size());
  const std::size_t workers = run->workers;
  for (std::size_t i = 0; i < workers; ++i)
    asio::co_spawn(executor, worker(sender->shared_from_this(), run), asio::detached);
  auto waiting = run->done.async_wait(asio::as_tuple(asio::use_awaitable));
  co_await std::move(waiting);
  co_return reply(200, summary(*run));
}

ServerResponse deliveries(const Simulator& sim, const ServerRequest& r) {
  std::uint64_t since = 0;
  if (auto value = r.query.get("since")) {
    try {
      since = std::stoull(std::string(*value));
    } catch (const std::exception&) {
      return error(400, "since must be a number");
    }
  }
  std::optional<std::string> source;
  if (auto value = r.query.get("source")) source = std::string(*value);
  return reply(200, json::object{{"deliveries", sim.webhooks().deliveries_json(since, source)}});
}

}  // namespace

void add_control_webhook_routes(Simulator& sim, const RouteSink& sink) {
  Simulator* s = &sim;
  sink(Method::post, "/_sim/cmp/webhooks:deliver", std::string(kControlApi),
       [s](ServerRequest r) { return deliver(&s->webhooks(), std::move(r)); });
  sink(Method::get, "/_sim/webhooks/deliveries", std::string(kControlApi),
       control::sync_handler([s](ServerRequest r) { return deliveries(*s, r); }));
  sink(Method::delete_, "/_sim/webhooks/deliveries", std::string(kControlApi), control::sync_handler([s](ServerRequest) {
         s->webhooks().clear();
         return control::no_content();
       }));
}

}  // namespace feedsync::sim
