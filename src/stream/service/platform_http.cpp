#include "stream/service/platform_http.hpp"

#include <curl/curl.h>

namespace onair::stream {
namespace {

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  constexpr std::size_t kMaxBody = 1 << 20;  // platform answers are small; refuse floods
  if (body->size() + size * n > kMaxBody) return 0;
  body->append(data, size * n);
  return size * n;
}

PlatformReply perform(const std::string& url, const PlatformHttp::Fields& headers, const std::string* post_body,
                      long timeout_seconds, const std::string& method = {}) {
  PlatformReply reply;
  CURL* curl = curl_easy_init();
  if (!curl) return reply;
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    const auto line = name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (post_body) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(post_body->size()));
  }
  if (!method.empty()) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (list) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  } else {
    reply.body.clear();
  }
  reply.status = static_cast<int>(status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return reply;
}

}  // namespace

PlatformHttp::PlatformHttp(long timeout_seconds, std::size_t threads)
    : timeout_seconds_(timeout_seconds), pool_(std::make_unique<BlockingPool>(threads)) {}

PlatformHttp::~PlatformHttp() { pool_->join(); }

std::string PlatformHttp::url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string PlatformHttp::form_encode(const Fields& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

Task<PlatformReply> PlatformHttp::post_form(std::string url, Fields form, Fields headers) {
  headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  headers.emplace_back("Accept", "application/json");
  auto call = [url = std::move(url), body = form_encode(form), headers = std::move(headers),
               timeout = timeout_seconds_] { return perform(url, headers, &body, timeout); };
  co_return co_await run_blocking(*pool_, std::move(call));
}

Task<PlatformReply> PlatformHttp::get(std::string url, Fields headers) {
  headers.emplace_back("Accept", "application/json");
  auto call = [url = std::move(url), headers = std::move(headers), timeout = timeout_seconds_] {
    return perform(url, headers, nullptr, timeout);
  };
  co_return co_await run_blocking(*pool_, std::move(call));
}

Task<PlatformReply> PlatformHttp::send(std::string method, std::string url, std::string body, std::string content_type,
                                       Fields headers) {
  if (!content_type.empty()) headers.emplace_back("Content-Type", std::move(content_type));
  headers.emplace_back("Accept", "application/json");
  auto call = [method = std::move(method), url = std::move(url), body = std::move(body), headers = std::move(headers),
               timeout = timeout_seconds_] {
    return perform(url, headers, body.empty() && method != "POST" ? nullptr : &body, timeout, method);
  };
  co_return co_await run_blocking(*pool_, std::move(call));
}

}  // namespace onair::stream
