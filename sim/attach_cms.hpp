#pragma once
// Plugs the CMS part (sim/cms_sim.hpp) into a Simulator: its routes go through the middleware,
// /_sim/cms/items and /_sim/check read it, and the /_sim/cms/... control routes drive it.
// Only built when the CMS part is (FEEDSYNC_SIM_HAS_CMS).

#include <memory>

#include "sim/cms_sim.hpp"
#include "sim/simulator.hpp"

namespace feedsync::sim {

// Before sim.start(). The CmsSim runs on the simulated clock (so /_sim/clock expires tokens and
// releases scheduled publishes) and is kept alive by the simulator as long as its routes.
std::shared_ptr<CmsSim> attach_cms_sim(Simulator& sim, CmsSimOptions options = {});

}  // namespace feedsync::sim
