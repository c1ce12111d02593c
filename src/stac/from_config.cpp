#include "stac/from_config.hpp"

namespace shipchips::stac {

HttpOptions http_options_from(const StacConfig& config) {
  HttpOptions options;
  options.connect_timeout_ms = static_cast<long>(config.connect_timeout_s * 1000);
  options.timeout_ms = static_cast<long>(config.request_timeout_s * 1000);
  options.max_retries = config.max_retries;
  return options;
}

const ProviderProfile& provider_from(const StacConfig& config) {
  switch (config.provider) {
    case StacProvider::earth_search_l2a:
      return provider_profile(ProviderId::earth_search_l2a);
    case StacProvider::earth_search_c1_l2a:
      return provider_profile(ProviderId::earth_search_c1_l2a);
    case StacProvider::planetary_computer:
      return provider_profile(ProviderId::planetary_computer);
  }
  return provider_profile(ProviderId::earth_search_l2a);
}

}  // namespace shipchips::stac
