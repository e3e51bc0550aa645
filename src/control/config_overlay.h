// config_overlay.h — how a component above the control plane (health checks, src/health/)
// takes part in loading the configuration, without the daemon depending on it.
//
// The daemon, on the control thread: at start-up applies initial_changes(effective_config(file))
// then calls adopt(file); on SIGHUP diffs the running configuration against
// effective_config(next), applies the difference, then calls adopt(next). effective_config()
// returns the file as IPVS must hold it given the overlay's own state (for health checks: real
// servers that are down stay out, weights the checks set stay, the sorry server stays while the
// quorum is lost), with service_origins kept parallel to the real servers. status_text()
// answers `uvsadm --health`.
// The daemon gets the overlay from a factory in DaemonArgs (uvsd's main supplies it), built once
// the control plane exists.
// Owned by: the control thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "config/config.h"

namespace asio {
class io_context;
}

namespace uvs::control {

class ControlPlane;

class ConfigOverlay {
 public:
  virtual ~ConfigOverlay() = default;
  virtual config::Config effective_config(const config::Config& next) const = 0;
  virtual void adopt(const config::Config& next) = 0;
  virtual std::string status_text() const = 0;
};

using ConfigOverlayFactory = std::function<std::unique_ptr<ConfigOverlay>(
    asio::io_context& io, ControlPlane& control, const base::Clock& clock)>;

}  // namespace uvs::control
