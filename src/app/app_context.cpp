#include "app/app_context.hpp"
#include "core/startup.hpp"

namespace shipchips::app {

Config load_app_config(const GlobalOptions& global) {
  return start_up(global.config_path, global.log_level, global.log_json);
}

}  // namespace shipchips::app
