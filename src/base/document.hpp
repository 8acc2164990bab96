// Reading YAML and JSON documents with positions, and collecting every problem
// found in them as diagnostics (not installed).
//
// yaml-cpp reads both YAML and JSON (JSON is a subset of YAML 1.2 for the
// documents duly reads), so one reader serves both and positions come from the
// same place. Parsers walk the tree with the helpers here; each helper that
// finds a problem records a diagnostic and returns an empty result, so a parser
// goes on and reports every problem at once.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <duly/error.hpp>

namespace duly::detail {

class document {
 public:
  document(std::string_view text, std::string_view source_name);

  // Parses the text; on a syntax error records it and returns false.
  bool load();
  [[nodiscard]] const YAML::Node& root() const { return root_; }

  // Records a problem at `node` (or at the document start when it has no mark).
  void report(const YAML::Node& node, std::string path, std::string message,
              errc code = errc::invalid_argument);
  [[nodiscard]] bool ok() const { return problems_.empty(); }
  [[nodiscard]] std::size_t problem_count() const { return problems_.size(); }
  void add(diagnostic d) { problems_.push_back(std::move(d)); }
  [[nodiscard]] const std::vector<std::string_view>& lines() const { return lines_; }
  [[nodiscard]] const std::string& source_name() const { return source_name_; }
  // The problems in document order (by line, then column).
  [[nodiscard]] std::vector<diagnostic> take_problems();
  [[nodiscard]] error make_error() { return error(take_problems()); }

  // Typed reads. Each reports and returns nullopt when the node is not of the
  // expected kind.
  std::optional<std::string> string(const YAML::Node& node, const std::string& path);
  std::optional<std::int64_t> integer(const YAML::Node& node, const std::string& path);
  bool is_map(const YAML::Node& node, const std::string& path);
  bool is_list(const YAML::Node& node, const std::string& path);
  // Reports every key given more than once (yaml-cpp keeps the first silently).
  void check_unique_keys(const YAML::Node& map, const std::string& path);
  // Reports every key of a map not in `allowed`, and duplicated keys.
  void check_keys(const YAML::Node& map, const std::string& path,
                  std::initializer_list<std::string_view> allowed);

 private:
  std::string text_;
  std::string source_name_;
  std::vector<std::string_view> lines_;
  YAML::Node root_;
  std::vector<diagnostic> problems_;
};

// "a.b" / "a[3]" path builders; the empty path has no leading dot.
inline std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
inline std::string index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Short description of a node's kind for messages: "a list", "a map", ...
std::string_view kind_name(const YAML::Node& node);

}  // namespace duly::detail
