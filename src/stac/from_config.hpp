#pragma once
// The stac section of config.yaml → the STAC client's transport options and provider profile,
// so every command that searches builds its client the same way.

#include "core/config.hpp"
#include "core/http_client.hpp"
#include "stac/provider.hpp"

namespace shipchips::stac {

HttpOptions http_options_from(const StacConfig& config);
const ProviderProfile& provider_from(const StacConfig& config);

}  // namespace shipchips::stac
