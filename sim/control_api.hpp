#pragma once
// The /_sim/ control API: drive the simulated CMP (feeds, articles, modes), inject faults and
// rate limits, move the clock, and read back what happened. JSON in and out; every endpoint is
// listed with an example in docs/simulator.md. Split in two files: control_articles.cpp (feeds
// and articles) and control_ops.cpp (faults, limits, clock, read-back).

#include <boost/json/object.hpp>

#include "sim/route_sink.hpp"

namespace feedsync::sim {

class Simulator;
struct Article;
class FeedStore;

// Registers every /_sim/ route (api "control") for `sim`, which must outlive the routes.
void add_control_article_routes(Simulator& sim, const RouteSink& sink);
void add_control_ops_routes(Simulator& sim, const RouteSink& sink);
// The CMP webhook sender and the deliveries read-back (control_webhooks.cpp, issue 19).
void add_control_webhook_routes(Simulator& sim, const RouteSink& sink);

// {"guid","feed_id","state":"live"|"deleted","position","entry":{"created_at","modified_at"},
//  "content":{...}}
boost::json::object article_json(const FeedStore& store, const Article& article);

}  // namespace feedsync::sim
