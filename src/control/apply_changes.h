// apply_changes.h — feed configuration changes (from a TOML load or reload) into the one
// mutation funnel, ControlPlane. Stops at the first change the control plane refuses and
// returns its error with the change's place in the file ("file:line:col: add-dest ...: Service
// not defined"). The changes applied so far reach the data path as one snapshot (a
// ControlPlane batch), also when one is refused.
//
// check_changes() answers the same question without changing anything: it runs the changes
// through a ChangeRehearsal (change_rehearsal.h) of `cp` and returns the error apply_changes()
// would return, or success. When it succeeds, apply_changes() on the unchanged `cp` applies
// every change; a reload calls it first so that a refused reload leaves everything as it was.
// Owned by: the control thread.
#pragma once

#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "config/config_diff.h"
#include "control/control_plane.h"

namespace uvs::control {

base::Status apply_changes(const std::vector<config::ConfigChange>& changes, ControlPlane& cp);
base::Status check_changes(const std::vector<config::ConfigChange>& changes,
                           const ControlPlane& cp);

// The configuration the daemon is running now, as a Config: [daemon] from `loaded`, everything
// else from the control plane's model (so uvsadm's changes count), ready for diff_configs().
config::Config running_config(const config::Config& loaded, const ControlPlane& cp);

}  // namespace uvs::control
