#include "core/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <mutex>
#include <thread>

namespace shipchips {
namespace {

#ifndef SHIPCHIPS_VERSION
#define SHIPCHIPS_VERSION "dev"
#endif

// curl_global_init is not thread-safe and must run once per process before any handle exists.
void ensure_curl_global_init() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    throw Error(ErrorCode::internal, std::string("curl_global_init failed: ") + curl_easy_strerror(result));
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Failures where the same request may well succeed a moment later.
bool is_retryable_curl_code(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_BAD_CONTENT_ENCODING:  // a truncated gzip stream looks like this
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// The peer's certificate or name does not verify (or our CA bundle is unusable): the same
// request fails the same way until someone fixes the certificate or the configuration.
bool is_tls_verification_failure(CURLcode code) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:  // also the old CURLE_SSL_CACERT (same value since 7.62)
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CRL_BADFILE:
      return true;
    default:
      return false;
  }
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  body->append(data, size * count);
  return size * count;
}

size_t write_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * count);
  // A new status line starts a new response (redirect, 100 Continue): keep only the last.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    headers->emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

std::string snippet(const std::string& body) {
  constexpr std::size_t kMax = 200;
  std::string out = body.size() > kMax ? body.substr(0, kMax) + "..." : body;
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (iequals(it->first, name)) return it->second;
  }
  return {};
}

HttpError::HttpError(ErrorCode code, std::string message, std::string url, long status, int attempts)
    : Error(code, std::move(message)), m_url(std::move(url)), m_status(status), m_attempts(attempts) {}

BackoffPolicy backoff_policy_of(const HttpOptions& options) {
  return {std::chrono::milliseconds(std::max(0L, options.backoff_initial_ms)),
          std::chrono::milliseconds(std::max(0L, options.backoff_max_ms))};
}

std::optional<long> parse_retry_after_ms(std::string_view value, std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    long long seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > LONG_MAX / 1000) return LONG_MAX;  // absurdly long; the caller caps it
    }
    return static_cast<long>(seconds * 1000);
  }
  // An HTTP-date must start with a day name; this keeps "-5" or "1.5" from reaching the
  // lenient curl_getdate.
  if (!std::isalpha(static_cast<unsigned char>(value.front()))) return std::nullopt;
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const auto target = std::chrono::system_clock::from_time_t(when);
  const auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(target - now).count();
  return static_cast<long>(std::max<long long>(0, delta));
}

bool is_retryable_status(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

HttpClient::HttpClient(HttpOptions options) : m_options(std::move(options)), m_backoff(backoff_policy_of(m_options)) {
  ensure_curl_global_init();
  if (m_options.user_agent.empty()) m_options.user_agent = std::string("shipchips/") + SHIPCHIPS_VERSION;
  m_curl = curl_easy_init();
  if (m_curl == nullptr) throw Error(ErrorCode::internal, "curl_easy_init failed");
  m_sleep = [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
}

HttpClient::~HttpClient() {
  if (m_curl != nullptr) curl_easy_cleanup(static_cast<CURL*>(m_curl));
}

HttpClient::HttpClient(HttpClient&& other) noexcept
    : m_options(std::move(other.m_options)),
      m_curl(other.m_curl),
      m_sleep(std::move(other.m_sleep)),
      m_backoff(other.m_backoff) {
  other.m_curl = nullptr;
}

HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
  if (this != &other) {
    if (m_curl != nullptr) curl_easy_cleanup(static_cast<CURL*>(m_curl));
    m_options = std::move(other.m_options);
    m_curl = other.m_curl;
    m_sleep = std::move(other.m_sleep);
    m_backoff = other.m_backoff;
    other.m_curl = nullptr;
  }
  return *this;
}

void HttpClient::set_sleep_function(SleepFunction sleep) {
  m_sleep = std::move(sleep);
}

HttpResponse HttpClient::get(const std::string& url) {
  return request("GET", url, {}, {});
}

HttpResponse HttpClient::post_json(const std::string& url, const std::string& json_body) {
  return request("POST", url, json_body,
                 {{"Content-Type", "application/json"}, {"Accept", "application/geo+json, application/json"}});
}

HttpClient::Attempt HttpClient::perform_once(const std::string& method, const std::string& url, const std::string& body,
                                             const std::vector<std::pair<std::string, std::string>>& headers) {
  if (m_curl == nullptr) throw Error(ErrorCode::internal, "HttpClient used after move");
  auto* curl = static_cast<CURL*>(m_curl);
  // Reset clears options but keeps the connection cache, so keep-alive survives.
  curl_easy_reset(curl);

  Attempt attempt;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, m_options.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, m_options.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, m_options.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_POSTREDIR, static_cast<long>(CURL_REDIR_POST_ALL));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt.response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, write_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &attempt.response.headers);

  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    if (method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "POST" || !body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    }
  }

  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : headers) {
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  }
  // Without this curl waits up to a second for "100 Continue" before sending large bodies.
  header_list = curl_slist_append(header_list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);

  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(header_list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

  attempt.curl_code = static_cast<int>(code);
  if (code != CURLE_OK) {
    attempt.curl_message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  attempt.response.status = status;
  char* effective = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective != nullptr) {
    attempt.response.effective_url = effective;
  }
  return attempt;
}

HttpResponse HttpClient::request(const std::string& method, const std::string& url, const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  const int max_attempts = std::max(0, m_options.max_retries) + 1;
  std::string last_problem;
  long last_status = 0;

  for (int attempt_number = 1; attempt_number <= max_attempts; ++attempt_number) {
    Attempt attempt = perform_once(method, url, body, headers);
    attempt.response.attempts = attempt_number;
    std::optional<long> retry_after;

    if (attempt.curl_code == CURLE_OK) {
      const long status = attempt.response.status;
      if (status < 400) return std::move(attempt.response);
      last_status = status;
      if (!is_retryable_status(status)) {
        const bool client_side = status < 500;
        throw HttpError(client_side ? ErrorCode::http_client_error : ErrorCode::network_transient,
                        method + " " + url + ": HTTP " + std::to_string(status) + " after " +
                            std::to_string(attempt_number) + " attempt(s): " + snippet(attempt.response.body),
                        url, status, attempt_number);
      }
      last_problem = "HTTP " + std::to_string(status);
      const std::string header = attempt.response.header("Retry-After");
      if (!header.empty()) retry_after = parse_retry_after_ms(header, std::chrono::system_clock::now());
    } else {
      const auto code = static_cast<CURLcode>(attempt.curl_code);
      last_status = 0;
      last_problem = "curl error " + std::to_string(attempt.curl_code) + " (" + attempt.curl_message + ")";
      if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
        throw HttpError(ErrorCode::invalid_argument, method + " " + url + ": " + last_problem, url, 0, attempt_number);
      }
      if (is_tls_verification_failure(code)) {
        throw HttpError(ErrorCode::tls_failed, method + " " + url + ": TLS verification failed: " + last_problem, url,
                        0, attempt_number);
      }
      if (!is_retryable_curl_code(code)) {
        throw HttpError(
            ErrorCode::network_transient,
            method + " " + url + ": " + last_problem + " after " + std::to_string(attempt_number) + " attempt(s)", url,
            0, attempt_number);
      }
    }

    if (attempt_number == max_attempts) break;
    // Every retry goes through the sleep function, a zero delay too (full jitter may draw 0),
    // so what a test records is the retry schedule itself.
    const auto delay = retry_after ? std::chrono::milliseconds(std::min(*retry_after, m_options.max_retry_after_ms))
                                   : m_backoff.delay(attempt_number);
    m_sleep(delay);
  }
  throw HttpError(ErrorCode::network_transient,
                  method + " " + url + ": gave up after " + std::to_string(max_attempts) +
                      " attempt(s); last error: " + last_problem,
                  url, last_status, max_attempts);
}

}  // namespace shipchips
