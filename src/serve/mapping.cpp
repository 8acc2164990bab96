// Mapping files and applying them to payloads (mapping.hpp).
#include "serve/mapping.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include <duly/time.hpp>

namespace duly::serve {
namespace {

using json = nlohmann::json;

struct reader {
  std::string file;
  std::vector<std::string> problems;

  void problem(const YAML::Node& n, const std::string& path, const std::string& message) {
    const YAML::Mark m = n.Mark();
    std::string where = file;
    if (m.line >= 0) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    problems.push_back(where + ": " + path + ": " + message);
  }

  // A YAML scalar as JSON: plain true/false/null and numbers keep their type;
  // quoted text stays text.
  static json scalar(const YAML::Node& n) {
    const std::string& text = n.Scalar();
    if (n.Tag() == "!") return text;
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    if (text == "null" || text == "~" || text == "Null" || text == "NULL" || text.empty()) return nullptr;
    static const std::regex integer("[-+]?[0-9]+");
    static const std::regex real("[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+");
    try {
      if (std::regex_match(text, integer)) return std::stoll(text);
      if (std::regex_match(text, real)) return std::stod(text);
    } catch (const std::exception&) {
      // out of range: kept as text
    }
    return text;
  }

  std::optional<json::json_pointer> pointer(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar() || n.Scalar().empty() || n.Scalar().front() != '/') {
      problem(n, path, "expected a JSON Pointer such as '/doc/name'");
      return std::nullopt;
    }
    try {
      return json::json_pointer(n.Scalar());
    } catch (const json::exception& e) {
      problem(n, path, "not a JSON Pointer: '" + n.Scalar() + "' (" + e.what() + ")");
      return std::nullopt;
    }
  }

  std::optional<field_spec> field(const YAML::Node& n, const std::string& path, bool required_scalar) {
    field_spec f;
    if (n.IsScalar()) {
      auto p = pointer(n, path);
      if (!p) return std::nullopt;
      f.pointer = *p;
      f.pointer_text = n.Scalar();
      return f;
    }
    if (!n.IsMap()) {
      problem(n, path, "expected a JSON Pointer ('/doc/name'), {pointer: P, map: {...}, default: V} or {const: V}");
      return std::nullopt;
    }
    bool ok = true;
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (key != "pointer" && key != "const" && key != "map" && key != "default") {
        problem(kv.first, path, "unknown key '" + key + "' (expected pointer, map, default or const)");
        ok = false;
      }
    }
    if (n["const"]) {
      if (n["pointer"] || n["map"] || n["default"]) {
        problem(n, path, "const stands alone: give either const or pointer");
        return std::nullopt;
      }
      const YAML::Node c = n["const"];
      if (!c.IsScalar()) {
        problem(c, path + ".const", "expected a string, number, bool or null");
        return std::nullopt;
      }
      f.constant = true;
      f.value = scalar(c);
      if (required_scalar && !f.value.is_string()) {
        problem(c, path + ".const", "expected text");
        return std::nullopt;
      }
      return ok ? std::optional<field_spec>(f) : std::nullopt;
    }
    if (!n["pointer"]) {
      problem(n, path, "expected pointer or const");
      return std::nullopt;
    }
    auto p = pointer(n["pointer"], path + ".pointer");
    if (!p) return std::nullopt;
    f.pointer = *p;
    f.pointer_text = n["pointer"].Scalar();
    if (const YAML::Node m = n["map"]) {
      if (!m.IsMap()) {
        problem(m, path + ".map", "expected a mapping of payload values to values");
        ok = false;
      } else {
        for (const auto& kv : m) {
          if (!kv.second.IsScalar()) {
            problem(kv.second, path + ".map." + kv.first.Scalar(), "expected a string, number, bool or null");
            ok = false;
            continue;
          }
          f.values[kv.first.Scalar()] = scalar(kv.second);
        }
      }
    }
    if (const YAML::Node d = n["default"]) {
      if (!d.IsScalar()) {
        problem(d, path + ".default", "expected a string, number, bool or null");
        ok = false;
      } else {
        f.fallback = scalar(d);
      }
    }
    return ok ? std::optional<field_spec>(f) : std::nullopt;
  }

  std::optional<source_mapping> source(const std::string& name, const YAML::Node& key, const YAML::Node& n) {
    const std::string path = "sources." + name;
    if (!n.IsMap()) {
      problem(n, path, "expected a mapping with id, at, event and attributes");
      return std::nullopt;
    }
    source_mapping s;
    s.name = name;
    bool ok = true;
    for (const auto& kv : n) {
      const std::string field = kv.first.Scalar();
      if (field != "id" && field != "at" && field != "event" && field != "attributes" && field != "zone" &&
          field != "each") {
        problem(kv.first, path, "unknown key '" + field + "' (expected id, at, event, attributes, zone or each)");
        ok = false;
      }
    }
    std::optional<field_spec> fields[3];
    const char* required[3] = {"id", "at", "event"};
    for (int i = 0; i < 3; ++i) {
      if (!n[required[i]]) {
        problem(key, path, std::string("missing '") + required[i] + "'");
        ok = false;
      } else if (!(fields[i] = field(n[required[i]], path + "." + required[i], true))) {
        ok = false;
      }
    }
    if (const YAML::Node z = n["zone"]) {
      auto zone = z.IsScalar() ? time_zone::locate(z.Scalar()) : fail(errc::invalid_argument, "expected an IANA zone name");
      if (!zone) {
        problem(z, path + ".zone", zone.error().message());
        ok = false;
      } else {
        s.zone = std::move(*zone);
      }
    }
    if (const YAML::Node e = n["each"]) {
      if (auto p = pointer(e, path + ".each")) {
        s.each = *p;
        s.each_text = e.Scalar();
      } else {
        ok = false;
      }
    }
    if (const YAML::Node a = n["attributes"]) {
      if (!a.IsMap()) {
        problem(a, path + ".attributes", "expected a mapping of attribute names to fields");
        ok = false;
      } else {
        for (const auto& kv : a) {
          const std::string attr = kv.first.Scalar();
          if (attr.empty() || attr == "id" || attr == "at" || attr == "event") {
            problem(kv.first, path + ".attributes", "'" + attr + "' cannot be an attribute's name");
            ok = false;
            continue;
          }
          auto f = field(kv.second, path + ".attributes." + attr, false);
          if (!f) {
            ok = false;
            continue;
          }
          s.attributes.emplace_back(attr, std::move(*f));
        }
      }
    }
    if (!ok) return std::nullopt;
    s.id = std::move(*fields[0]);
    s.at = std::move(*fields[1]);
    s.event = std::move(*fields[2]);
    return s;
  }
};

// The value of `f` in `payload`: nullopt when the pointer is not there;
// `problem` set when the value is not mapped.
std::optional<json> value_of(const field_spec& f, const json& payload, std::string& problem) {
  if (f.constant) return f.value;
  if (!payload.contains(f.pointer)) return f.fallback;
  const json& v = payload.at(f.pointer);
  if (f.values.empty()) return v;
  const std::string key = v.is_string() ? v.get<std::string>() : v.dump();
  if (auto it = f.values.find(key); it != f.values.end()) return it->second;
  if (f.fallback) return f.fallback;
  std::string known;
  for (const auto& [k, _] : f.values) known += (known.empty() ? "" : ", ") + k;
  problem = f.pointer_text + ": '" + key + "' is not one of the mapped values (" + known + ")";
  return std::nullopt;
}

}  // namespace

result<mapping> parse_mapping(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return fail(errc::parse_error, name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                       std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  reader r{name, {}};
  mapping out;
  if (!root.IsMap() || !root["sources"]) {
    r.problem(root, "(top)", "expected a mapping with 'sources'");
  } else {
    for (const auto& kv : root) {
      if (kv.first.Scalar() != "sources")
        r.problem(kv.first, "(top)", "unknown key '" + kv.first.Scalar() + "' (expected sources)");
    }
    const YAML::Node sources = root["sources"];
    if (!sources.IsMap() || sources.size() == 0) {
      r.problem(sources, "sources", "expected a mapping of source names to their fields");
    } else {
      static const std::regex source_name("[A-Za-z0-9_.-]+");
      for (const auto& kv : sources) {
        const std::string source = kv.first.Scalar();
        if (!std::regex_match(source, source_name)) {
          r.problem(kv.first, "sources", "a source's name is letters, digits, '_', '.' and '-' (it is a URL path "
                                         "segment): '" + source + "'");
          continue;
        }
        if (auto s = r.source(source, kv.first, kv.second)) out.sources.emplace(source, std::move(*s));
      }
    }
  }
  if (!r.problems.empty()) {
    std::string all;
    for (const auto& p : r.problems) all += (all.empty() ? "" : "\n") + p;
    return fail(errc::parse_error, all);
  }
  return out;
}

result<mapping> load_mapping(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(errc::io_error, path + ": cannot open the mapping file for reading");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_mapping(std::move(buf).str(), path);
}

event_batch apply_mapping(const source_mapping& source, const json& payloads, const read_options& options) {
  // The payloads: each element of a JSON array, or the one document; `each`
  // then takes every element of the array it points at.
  std::vector<const json*> docs;
  if (payloads.is_array()) {
    for (const auto& p : payloads) docs.push_back(&p);
  } else {
    docs.push_back(&payloads);
  }
  std::string lines;
  std::vector<std::uint64_t> line_of;  // the input position of each JSON line
  event_batch out;
  std::uint64_t position = 0;
  const auto map_one = [&](const json& doc) {
    ++position;
    std::vector<std::string> problems;
    json e = json::object();
    const auto required = [&](const char* name, const field_spec& f) {
      std::string problem;
      auto v = value_of(f, doc, problem);
      if (!problem.empty()) {
        problems.push_back(std::string(name) + ": " + problem);
      } else if (!v) {
        problems.push_back(std::string(name) + ": " + f.pointer_text + " is not in the payload");
      } else {
        e[name] = *v;
      }
    };
    required("id", source.id);
    required("at", source.at);
    required("event", source.event);
    if (source.zone && e.contains("at") && e["at"].is_string()) {
      // Wall-clock text in the source's zone becomes an instant; text with an
      // offset keeps it. Unreadable text is left for the event check to name.
      if (auto t = parse_instant(e["at"].get<std::string>(), *source.zone)) e["at"] = format_instant(*t);
    }
    for (const auto& [name, f] : source.attributes) {
      std::string problem;
      auto v = value_of(f, doc, problem);
      if (!problem.empty()) problems.push_back("attribute '" + name + "': " + problem);
      if (v) e[name] = *v;
    }
    if (!problems.empty()) {
      std::string reason;
      for (const auto& p : problems) reason += (reason.empty() ? "" : "; ") + p;
      out.rejected.push_back({position, std::move(reason), {}});
      ++out.rows;
      return;
    }
    lines += e.dump(-1, ' ', false, json::error_handler_t::replace);
    lines += '\n';
    line_of.push_back(position);
  };
  for (const json* doc : docs) {
    if (source.each) {
      if (!doc->contains(*source.each) || !doc->at(*source.each).is_array()) {
        ++position;
        ++out.rows;
        out.rejected.push_back({position, "each: " + source.each_text + " is not an array in the payload", {}});
        continue;
      }
      for (const auto& item : doc->at(*source.each)) map_one(item);
    } else {
      map_one(*doc);
    }
  }
  // The library's reader checks each event as it would a JSON Lines line.
  event_batch read = read_events_jsonl(lines, options);
  for (auto& e : read.events) {
    e.line = line_of.at(e.line - 1);
    e.sequence = e.line;
    out.events.push_back(std::move(e));
  }
  for (auto& r : read.rejected) {
    r.line = line_of.at(r.line - 1);
    out.rejected.push_back(std::move(r));
  }
  out.rows += read.rows;
  std::sort(out.rejected.begin(), out.rejected.end(),
            [](const rejected_row& a, const rejected_row& b) { return a.line < b.line; });
  return out;
}

}  // namespace duly::serve
