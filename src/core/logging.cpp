#include "core/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace onair {

std::string json_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 8);
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

std::string mask_secret(std::string_view value) {
  if (value.empty()) return "";
  return "****(" + std::to_string(value.size()) + " chars)";
}

namespace log {

void write(spdlog::level::level_enum level, std::string_view msg, Fields fields) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  std::string line = "\"msg\":\"" + json_escape(msg) + "\"";
  for (const auto& [k, v] : fields) {
    line += ",\"";
    line += json_escape(k);
    line += "\":\"";
    line += json_escape(v);
    line += "\"";
  }
  logger->log(level, "{}", line);
}

}  // namespace log

void init_logging(std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("onair");
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc));
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace onair
