// backend.h — what an ipvsadm command needs from the thing it controls.
//
// ipvsadm talks to the kernel; uvsadm's commands run inside uvsd against this interface, which
// control::ControlPlane implements (every change there goes through the one mutation funnel).
// Errors are the model's typed errors (see ipvs_model.h); the command runner maps them to
// ipvsadm's messages and exit codes.
// Owned by: the control thread.
#pragma once

#include "base/result.h"
#include "ipvsadm/status.h"
#include "lb/service_spec.h"

namespace uvs::ipvsadm {

class IpvsBackend {
 public:
  virtual ~IpvsBackend() = default;

  // -R: the changes between the two may reach the data path together, after the last line
  // (ControlPlane publishes one snapshot for them). Errors still come per change, at once.
  // Pairs nest. Batch is the scope of one.
  virtual void begin_batch() {}
  virtual void end_batch() {}
  class Batch {
   public:
    explicit Batch(IpvsBackend& b) : b_(b) { b_.begin_batch(); }
    ~Batch() { b_.end_batch(); }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

   private:
    IpvsBackend& b_;
  };

  virtual base::Status add_service(const lb::ServiceSpec& spec) = 0;
  virtual base::Status edit_service(const lb::ServiceSpec& spec) = 0;
  virtual base::Status del_service(const lb::ServiceKey& key) = 0;
  virtual base::Status clear() = 0;
  virtual base::Status add_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) = 0;
  virtual base::Status edit_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) = 0;
  virtual base::Status del_dest(const lb::ServiceKey& key,
                                const net::IpAddr& addr,
                                std::uint16_t port) = 0;
  // -Z: one service, or everything when `key` is null.
  virtual base::Status zero(const lb::ServiceKey* key) = 0;
  // --set: zeros leave a timeout unchanged.
  virtual base::Status set_timeouts(const lb::TimeoutSpec& t) = 0;
  // Current state for listings; connection rows only when asked (they can be many).
  virtual IpvsStatus status(bool with_connections) = 0;
};

}  // namespace uvs::ipvsadm
