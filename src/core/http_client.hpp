#pragma once
// HTTP client on libcurl: one easy handle per client so connections are kept alive between
// requests, timeouts on connect and on the whole transfer, and retries with exponential
// backoff and full jitter for the failures that are worth retrying (429, 408, 500/502/503/504,
// timeouts, resets, truncated bodies, refused connections), honouring Retry-After.
//
// Outcomes:
//   - 2xx/3xx (redirects are followed) and other statuses the caller must see: returned.
//   - 4xx other than 408/429: HttpError(http_client_error) at once; retrying will not help.
//   - retryable failures after max_retries retries: HttpError(network_transient) naming the
//     URL, the last status or curl error and the number of attempts.
//
// A client is NOT thread-safe: it owns one curl easy handle. Use one client per thread.

#include "core/backoff.hpp"
#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shipchips {

struct HttpOptions {
  long connect_timeout_ms = 5000;
  long timeout_ms = 30000;
  int max_retries = 4;  // retries after the first attempt
  long backoff_initial_ms = 250;
  long backoff_max_ms = 8000;
  long max_retry_after_ms = 60000;
  std::string user_agent;  // empty: "shipchips/<version>"
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // of the final response
  int attempts = 0;
  std::string effective_url;  // after redirects

  // Case-insensitive; "" if absent (the last occurrence wins).
  std::string header(std::string_view name) const;
};

// Thrown for every failed request; it is an Error, so callers that only care about the
// category catch Error. status() is the HTTP status of the last attempt (0 when no response
// came back, e.g. a reset or timeout).
class HttpError : public Error {
 public:
  HttpError(ErrorCode code, std::string message, std::string url, long status, int attempts);
  const std::string& url() const noexcept { return m_url; }
  long status() const noexcept { return m_status; }
  int attempts() const noexcept { return m_attempts; }

 private:
  std::string m_url;
  long m_status;
  int m_attempts;
};

// The retry delays of these options (core/backoff: capped exponential, full jitter).
BackoffPolicy backoff_policy_of(const HttpOptions& options);

// Retry-After as delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"),
// converted to milliseconds from `now` (a date in the past gives 0). nullopt if unparsable.
std::optional<long> parse_retry_after_ms(std::string_view value, std::chrono::system_clock::time_point now);

// True for the statuses the client retries by itself.
bool is_retryable_status(long status);

class HttpClient {
 public:
  using SleepFunction = std::function<void(std::chrono::milliseconds)>;

  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) noexcept;

  HttpResponse get(const std::string& url);
  HttpResponse post_json(const std::string& url, const std::string& json_body);
  HttpResponse request(const std::string& method, const std::string& url, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers);

  const HttpOptions& options() const { return m_options; }

  // Tests replace the sleep between retries (to record delays instead of waiting).
  void set_sleep_function(SleepFunction sleep);
  // Tests fix the jitter sequence.
  void set_jitter_seed(std::uint64_t seed) { m_backoff.seed(seed); }

 private:
  struct Attempt {
    int curl_code = 0;
    std::string curl_message;
    HttpResponse response;
  };
  Attempt perform_once(const std::string& method, const std::string& url, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers);

  HttpOptions m_options;
  void* m_curl = nullptr;  // CURL*, kept opaque so this header does not pull in curl.h
  SleepFunction m_sleep;
  Backoff m_backoff;
};

}  // namespace shipchips
