// `feedsyncd plan`: a dry run of one poll cycle per feed against the live feeds. Reads the feeds
// and the state store, writes neither the store nor the CMS, and prints what would change.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "commands.hpp"
#include "config/config.hpp"
#include "engine/clients.hpp"
#include "engine/feed_target.hpp"
#include "engine/http_stack.hpp"
#include "engine/poll_cycle.hpp"
#include "exit_codes.hpp"
#include "feed/feed_client.hpp"
#include "store/store.hpp"

namespace feedsync::daemon {
namespace {

// Before the daemon's first run there is no state: plan against an empty throwaway database,
// so the plan is exactly what a first run would do, and nothing is left behind.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "feedsync-plan-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create " + pattern);
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct FeedPlan {
  std::string feed;
  Expected<engine::CycleReport, engine::CycleError> result;
};

void print_text(const std::vector<FeedPlan>& plans) {
  for (const auto& plan : plans) {
    if (!plan.result) {
      std::cout << "feed " << plan.feed << ": cannot plan: " << plan.result.error().message << "\n";
      continue;
    }
    const auto& r = *plan.result;
    std::cout << "feed " << plan.feed << ": " << r.created << " to create, " << r.updated
              << " to update, " << r.undeleted << " to undelete, " << r.deleted << " to delete, "
              << r.held_deletes << " deletions held, " << r.unchanged + r.touched << " unchanged"
              << (r.held_moves ? ", " + std::to_string(r.held_moves) + " moves between items held" : "")
              << (r.mapping_errors ? ", " + std::to_string(r.mapping_errors) + " not mappable" : "")
              << " (" << (r.full_scan ? "full scan" : "incremental poll") << ", " << r.feed_requests
              << " feed requests)\n";
    for (const auto& c : r.changes) {
      std::cout << "  " << engine::to_string(c.action) << "  " << (c.guid.empty() ? "-" : c.guid) << "  "
                << (c.title.empty() ? "" : "\"" + c.title + "\"  ") << c.reason << "\n";
    }
  }
}

void print_json(const std::vector<FeedPlan>& plans) {
  boost::json::array feeds;
  for (const auto& plan : plans) {
    boost::json::object entry{{"feed", plan.feed}, {"ok", plan.result.has_value()}};
    if (!plan.result) {
      entry["error"] = plan.result.error().message;
      feeds.push_back(std::move(entry));
      continue;
    }
    const auto& r = *plan.result;
    entry["full_scan"] = r.full_scan;
    entry["feed_requests"] = r.feed_requests;
    entry["counts"] = {{"create", r.created}, {"update", r.updated}, {"undelete", r.undeleted},
                       {"delete", r.deleted}, {"held_deletes", r.held_deletes}, {"held_moves", r.held_moves},
                       {"unchanged", r.unchanged + r.touched}, {"mapping_errors", r.mapping_errors}};
    boost::json::array changes;
    for (const auto& c : r.changes) {
      changes.push_back({{"action", std::string(engine::to_string(c.action))}, {"guid", c.guid}, {"title", c.title},
                         {"cms_key", c.cms_key}, {"reason", c.reason}});
    }
    entry["changes"] = std::move(changes);
    feeds.push_back(std::move(entry));
  }
  std::cout << boost::json::serialize(boost::json::object{{"feeds", std::move(feeds)}}) << "\n";
}

}  // namespace

int run_plan(const CliRequest& request, const config::Config& config) {
  std::vector<const config::FeedConfig*> selected;
  for (const auto& feed : config.feeds) {
    if (!request.feed || feed.name == *request.feed) selected.push_back(&feed);
  }
  if (selected.empty()) {
    std::cerr << "feedsyncd: feed \"" << *request.feed << "\" is not in " << config.file.string() << "\n";
    return kExitUsage;
  }

  std::optional<ScratchDirectory> scratch;
  std::filesystem::path state_path = config.state.path;
  if (!std::filesystem::exists(state_path)) {
    scratch.emplace();
    state_path = scratch->path() / "state.db";
  }
  auto store = store::Store::open(state_path, {.access = store::Access::shared,
                                               .busy_timeout = config.state.busy_timeout});

  boost::asio::io_context io;
  SystemClock clock;
  engine::HttpStack http(io.get_executor(), config, clock);
  feed::FeedClient feeds(http.client(), engine::feed_client_options(config));
  engine::PollCycle cycle(feeds, store, clock);

  std::vector<FeedPlan> plans;
  bool all_ok = true;
  for (const auto* feed : selected) {
    auto mapping = compile_mapping(engine::mapping_spec(*feed));  // validated at config load
    engine::CycleOptions options;
    options.dry_run = true;
    options.read_deleted_feed_now = true;  // what a poll would find now, whatever its schedule
    auto future = boost::asio::co_spawn(io, cycle.run(*feed, std::move(*mapping), options),
                                        boost::asio::use_future);
    io.run();
    io.restart();
    plans.push_back({feed->name, future.get()});
    all_ok = all_ok && plans.back().result.has_value();
  }
  if (request.output == OutputFormat::json) {
    print_json(plans);
  } else {
    print_text(plans);
  }
  return all_ok ? kExitOk : kExitFailure;
}

}  // namespace feedsync::daemon
