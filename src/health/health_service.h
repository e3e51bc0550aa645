// health_service.h — health checking inside uvsd: the HealthManager with the live runners
// (asio checks, /bin/sh scripts) and a timer that wakes the manager exactly when its next check
// is due. It is the daemon's control::ConfigOverlay (config_overlay.h), so the daemon calls, on
// the control thread:
//   start-up: apply_changes(initial_changes(effective_config(file)));  adopt(file);
//   SIGHUP:   diff_configs(running, effective_config(next)) → apply_changes;  adopt(next);
//   `uvsadm --health`: status_text().
// make_health_overlay() is the factory uvsd's main hands to the daemon.
// Owned by: the control thread (the io_context's thread).
#pragma once

#include <string>

#include <asio.hpp>

#include "base/clock.h"
#include "config/config.h"
#include "control/config_overlay.h"
#include "control/control_plane.h"
#include "health/asio_check_runner.h"
#include "health/health_manager.h"
#include "health/process_script_runner.h"

namespace uvs::health {

class HealthService final : public control::ConfigOverlay {
 public:
  HealthService(asio::io_context& io, control::ControlPlane& control, const base::Clock& clock);
  HealthService(const HealthService&) = delete;
  HealthService& operator=(const HealthService&) = delete;

  config::Config effective_config(const config::Config& next) const override {
    return manager_.effective_config(next);
  }
  void adopt(const config::Config& next) override;
  std::string status_text() const override { return manager_.status_text(); }

 private:
  // Passes attempts to the asio runner and re-arms the timer once a result has been handled.
  class Rearming final : public CheckRunner {
   public:
    Rearming(asio::io_context& io, HealthService& owner) : inner_(io), owner_(owner) {}
    void run(const CheckTarget& target, std::function<void(CheckResult)> done) override;

   private:
    AsioCheckRunner inner_;
    HealthService& owner_;
  };

  void arm();

  const base::Clock& clock_;
  Rearming checks_;
  ProcessScriptRunner scripts_;
  HealthManager manager_;
  asio::steady_timer timer_;
};

// For DaemonArgs::make_overlay.
control::ConfigOverlayFactory make_health_overlay();

}  // namespace uvs::health
