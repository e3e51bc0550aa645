// service_reader.h — one [[service]] table and its [[service.real]] tables, for the loader.
//
// Input: the table, its 1-based number among the [[service]] tables (for the context while the
// service has no name yet), and the Config read so far: its marks (a fwmark service needs a
// [[mark]] rule that sets its mark) and its services (duplicates); and `real_servers`, the
// count of real servers of the services read so far (a sorry_server counting as one; start at 0),
// for uvsd's limits (config_limits.h). Output: the service appended to cfg.services, its real
// servers newest (last written) first, and its positions appended to cfg.service_origins, and
// `real_servers` updated; or the loader's one Error (config_loader.h lists the rules, contexts
// and positions). Internal to src/config/.
// Owned by: whichever thread runs the loader.
#pragma once

#include <cstddef>

#include <toml++/toml.h>

#include "base/result.h"
#include "config/config.h"

namespace uvs::config {

base::Status read_service(const toml::table& table,
                          std::size_t number,
                          Config& cfg,
                          std::size_t& real_servers);

}  // namespace uvs::config
