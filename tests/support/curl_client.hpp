#pragma once
// A libcurl client for tests of our HTTP servers (header-only): an independent client (not our
// core/http_client) that reports the status, body, headers of the last response (lower-case
// names), how many connections it opened and how long it took.

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace shipchips::testing {

struct CurlResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, last response only
  long num_connects = 0;
  double seconds = 0;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class Curl {
 public:
  Curl() {
    static const bool initialised = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
    EXPECT_TRUE(initialised);
    m_handle = curl_easy_init();
  }
  ~Curl() { curl_easy_cleanup(m_handle); }
  Curl(const Curl&) = delete;
  Curl& operator=(const Curl&) = delete;

  CurlResult get(const std::string& url, const std::vector<std::string>& headers = {}, bool head = false,
                 bool path_as_is = false) {
    curl_easy_setopt(m_handle, CURLOPT_NOBODY, head ? 1L : 0L);
    curl_easy_setopt(m_handle, CURLOPT_HTTPGET, head ? 0L : 1L);
    if (head) curl_easy_setopt(m_handle, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(m_handle, CURLOPT_PATH_AS_IS, path_as_is ? 1L : 0L);
    return perform(url, headers);
  }

  CurlResult post(const std::string& url, const std::string& body,
                  const std::vector<std::string>& headers = {"Content-Type: application/json"}) {
    curl_easy_setopt(m_handle, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(m_handle, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(m_handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    return perform(url, headers);
  }

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<CurlResult*>(user)->body.append(data, size * n);
    return size * n;
  }
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* result = static_cast<CurlResult*>(user);
    std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) result->headers.clear();  // 100 Continue, then the real one
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      value.erase(value.find_last_not_of("\r\n ") + 1);
      result->headers[name] = value;
    }
    return size * n;
  }

  CurlResult perform(const std::string& url, const std::vector<std::string>& headers) {
    CurlResult result;
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(m_handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(m_handle, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(m_handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(m_handle, CURLOPT_WRITEDATA, &result);
    curl_easy_setopt(m_handle, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(m_handle, CURLOPT_HEADERDATA, &result);
    curl_easy_setopt(m_handle, CURLOPT_TIMEOUT_MS, 10000L);
    const auto started = std::chrono::steady_clock::now();
    result.code = curl_easy_perform(m_handle);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    curl_easy_getinfo(m_handle, CURLINFO_RESPONSE_CODE, &result.status);
    curl_easy_getinfo(m_handle, CURLINFO_NUM_CONNECTS, &result.num_connects);
    curl_easy_setopt(m_handle, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(list);
    return result;
  }

  CURL* m_handle;
};

}  // namespace shipchips::testing
