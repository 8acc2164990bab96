// JSON log lines (log.hpp).
#include "serve/log.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include <duly/time.hpp>

namespace duly::serve {
namespace {
std::mutex log_mutex;
}

void logger::write(std::string_view level, std::string_view msg, const nlohmann::ordered_json& fields) {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::string ts = format_instant(std::chrono::floor<std::chrono::seconds>(now));
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms));
  ts.insert(ts.size() - 1, frac);
  nlohmann::ordered_json line = nlohmann::ordered_json::object();
  line["ts"] = ts;
  line["level"] = level;
  line["msg"] = msg;
  for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  // Invalid UTF-8 from a request (a path, a reason) is replaced, never thrown.
  std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  text += '\n';
  std::lock_guard lock(log_mutex);
  out_ << text;
  out_.flush();
}

}  // namespace duly::serve
