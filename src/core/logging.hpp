#pragma once
// JSON-lines logging through spdlog: every line is one JSON object
// {"time","level","msg", ...fields}. Log through onair::log only (it escapes).
// Never log a secret, token, stream key or chat text: mask_secret() exists for
// the few places that must say whether one is set.
#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace onair {

// Installs the JSON formatter on the default logger; level: trace..off.
void init_logging(std::string_view level);
// Escapes `text` for inclusion inside a JSON string.
std::string json_escape(std::string_view text);
// "****(32 chars)": tells that a value is set without showing it.
std::string mask_secret(std::string_view value);

namespace log {

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

void write(spdlog::level::level_enum level, std::string_view msg, Fields fields = {});
inline void debug(std::string_view msg, Fields f = {}) { write(spdlog::level::debug, msg, f); }
inline void info(std::string_view msg, Fields f = {}) { write(spdlog::level::info, msg, f); }
inline void warn(std::string_view msg, Fields f = {}) { write(spdlog::level::warn, msg, f); }
inline void error(std::string_view msg, Fields f = {}) { write(spdlog::level::err, msg, f); }

}  // namespace log
}  // namespace onair
