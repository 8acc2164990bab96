// Structured log lines: one JSON object per line on stderr, written whole
// under a lock so that lines from several threads never interleave.
//
//   {"ts":"2026-11-23T09:15:00.123Z","level":"info","msg":"listening","listen":"127.0.0.1:8080"}
#pragma once

#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

namespace duly::serve {

class logger {
 public:
  explicit logger(std::ostream& out) : out_(out) {}
  // Writes `fields` (an object) with "ts", "level" and "msg" first.
  void write(std::string_view level, std::string_view msg, const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());
  void info(std::string_view msg, const nlohmann::ordered_json& fields = nlohmann::ordered_json::object()) { write("info", msg, fields); }
  void warn(std::string_view msg, const nlohmann::ordered_json& fields = nlohmann::ordered_json::object()) { write("warn", msg, fields); }
  void error(std::string_view msg, const nlohmann::ordered_json& fields = nlohmann::ordered_json::object()) { write("error", msg, fields); }

 private:
  std::ostream& out_;
};

}  // namespace duly::serve
