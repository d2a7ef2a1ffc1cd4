#pragma once
// The registrar through which every simulator part (feed, canonical, control, CMS) adds its
// routes. The simulator wraps each handler in its middleware (request log, API classification,
// fault rules, rate limits) before it reaches the router, so no part can bypass them.
//
// `pattern` uses net::Router syntax; `api` is the label fault rules and rate limits match on:
// "feed", "canonical", "cms", "token" or "control".

#include <functional>
#include <string>

#include "net/http.hpp"
#include "net/server_message.hpp"

namespace feedsync::sim {

using RouteSink = std::function<void(net::Method, std::string pattern, std::string api, net::Handler)>;

}  // namespace feedsync::sim
