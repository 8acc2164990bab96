#include "base/document.hpp"

#include <algorithm>
#include <optional>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <charconv>

#include "base/text.hpp"

namespace duly::detail {

namespace {

// Records where documents start; ignores everything else.
class document_starts final : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> start;
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (!start) start = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The start of a second document in `text`, if there is one.
std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  document_starts first, second;
  if (!parser.HandleNextDocument(first)) return std::nullopt;
  if (!parser.HandleNextDocument(second)) return std::nullopt;
  return second.start ? second.start : std::optional<YAML::Mark>(YAML::Mark());
}

}  // namespace

document::document(std::string_view text, std::string_view source_name)
    : text_(text), source_name_(source_name) {
  std::string_view rest = text_;
  while (true) {
    const auto nl = rest.find('\n');
    auto line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines_.push_back(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
}

bool document::load() {
  try {
    root_ = YAML::Load(text_);
    // YAML::Load keeps the first document and silently drops the rest (and
    // YAML::LoadAll can loop forever on some malformed input), so look for a
    // second document with the event parser, at most two documents deep.
    if (const auto second = second_document(text_)) {
      diagnostic d;
      d.code = errc::parse_error;
      d.message = "more than one document: a file holds one (remove the '---' or the text after the first)";
      d.file = source_name_;
      d.line = second->line + 1;
      d.column = second->column + 1;
      if (static_cast<std::size_t>(second->line) < lines_.size())
        d.source_line = std::string(lines_[static_cast<std::size_t>(second->line)]);
      problems_.push_back(std::move(d));
      return false;
    }
    return true;
  } catch (const YAML::Exception& e) {
    diagnostic d;
    d.code = errc::parse_error;
    d.message = e.msg.empty() ? std::string("cannot parse the document") : e.msg;
    d.file = source_name_;
    if (!e.mark.is_null()) {
      d.line = e.mark.line + 1;
      d.column = e.mark.column + 1;
      if (static_cast<std::size_t>(e.mark.line) < lines_.size())
        d.source_line = std::string(lines_[static_cast<std::size_t>(e.mark.line)]);
    }
    problems_.push_back(std::move(d));
    return false;
  }
}

void document::report(const YAML::Node& node, std::string path, std::string message, errc code) {
  diagnostic d;
  d.code = code;
  d.message = std::move(message);
  d.path = std::move(path);
  d.file = source_name_;
  const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  if (!mark.is_null()) {
    d.line = mark.line + 1;
    d.column = mark.column + 1;
    if (static_cast<std::size_t>(mark.line) < lines_.size())
      d.source_line = std::string(lines_[static_cast<std::size_t>(mark.line)]);
  }
  problems_.push_back(std::move(d));
}

std::vector<diagnostic> document::take_problems() {
  std::stable_sort(problems_.begin(), problems_.end(), [](const diagnostic& a, const diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return std::move(problems_);
}

std::string_view kind_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a value";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "nothing";
}

std::optional<std::string> document::string(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) {
    report(node, path, "expected a text value, got " + std::string(kind_name(node)));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::int64_t> document::integer(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) {
    report(node, path, "expected a whole number, got " + std::string(kind_name(node)));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  std::string_view v = trim(s);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  std::int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) {
    report(node, path, "expected a whole number, got '" + s + "'");
    return std::nullopt;
  }
  return out;
}

bool document::is_map(const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) return true;
  report(node, path, "expected a map of keys and values, got " + std::string(kind_name(node)));
  return false;
}

bool document::is_list(const YAML::Node& node, const std::string& path) {
  if (node.IsSequence()) return true;
  report(node, path, "expected a list, got " + std::string(kind_name(node)));
  return false;
}

void document::check_unique_keys(const YAML::Node& map, const std::string& path) {
  std::vector<std::string> seen;
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      report(kv.first, join(path, key), "key '" + key + "' is given twice");
    } else {
      seen.push_back(key);
    }
  }
}

void document::check_keys(const YAML::Node& map, const std::string& path,
                          std::initializer_list<std::string_view> allowed) {
  check_unique_keys(map, path);
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (known) continue;
    std::string expected;
    for (auto a : allowed) {
      if (!expected.empty()) expected += ", ";
      expected += a;
    }
    report(kv.first, join(path, key), "unknown key (expected " + expected + ")");
  }
}

}  // namespace duly::detail
