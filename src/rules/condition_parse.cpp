// Conditions parsed and compiled: the lexer, the parser (positions kept), which
// builds the flat node array of condition_impl.hpp with attribute slots, and
// what attributes_read() reports. The evaluator is in condition.cpp.
#include <duly/condition.hpp>

#include <charconv>
#include <optional>
#include <unordered_map>

#include <duly/time.hpp>

#include "base/text.hpp"
#include "rules/condition_impl.hpp"

namespace duly {

// ---------------------------------------------------------------------------
// lexer and parser

namespace {

using node = condition::impl::node;
using op = condition::impl::op;

enum class tok : std::uint8_t {
  end, name, string, number, lbracket, rbracket, lparen, rparen, comma,
  eq, ne, lt, le, gt, ge, bad,
};

struct token {
  tok kind = tok::end;
  std::size_t pos = 0;  // 0-based offset in the text
  std::size_t len = 0;
  std::string text;     // decoded string literal / name
  double number = 0;
};

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || detail::is_digit(c) || c == '.'; }

class parser {
 public:
  parser(std::string_view text, slot_table& slots, condition::impl& out, bool risk_names,
         std::span<const std::string> calendar_names)
      : text_(text), slots_(slots), out_(out), risk_names_(risk_names), calendar_names_(calendar_names) {}

  result<int> parse() {
    if (!advance()) return tl::unexpected(error_);
    if (cur_.kind == tok::end) return fail_at(0, "empty condition: write one such as status == \"open\"");
    auto root = parse_or();
    if (!root) return root;
    if (cur_.kind != tok::end)
      return fail_at(cur_.pos, "unexpected " + describe(cur_) + " after a complete condition");
    return root;
  }

 private:
  std::string_view text_;
  slot_table& slots_;
  condition::impl& out_;
  bool risk_names_ = false;
  std::span<const std::string> calendar_names_;
  token cur_;
  std::size_t pos_ = 0;
  error error_{errc::parse_error, ""};
  int depth_ = 0;

 public:
  // Where names and text literals were written, for attributes_read():
  // each slot's first use, and each string literal by its storage.
  std::vector<std::pair<int, std::size_t>> first_use;
  std::unordered_map<const char*, std::size_t> literal_at;

 private:
  // The slot of the attribute named by token `t`, noting where it was written.
  int slot_for(const token& t) {
    const int slot = slots_.slot_of(t.text);
    bool seen = false;
    for (const auto& u : first_use) seen = seen || u.first == slot;
    if (!seen) first_use.emplace_back(slot, t.pos);
    return slot;
  }

  tl::unexpected<error> fail_at(std::size_t pos, std::string message) {
    diagnostic d;
    d.code = errc::parse_error;
    d.message = std::move(message);
    d.line = 1;
    d.column = static_cast<int>(pos) + 1;
    d.source_line = std::string(text_);
    error_ = error(std::move(d));
    return tl::unexpected(error_);
  }

  std::string describe(const token& t) const {
    if (t.kind == tok::end) return "end of condition";
    // Appended, not "'" + std::string(...): GCC 12 at -O3 takes that for an
    // overlapping copy here (a false -Wrestrict).
    std::string quoted(1, '\'');
    quoted.append(text_.substr(t.pos, t.len)).push_back('\'');
    return quoted;
  }

  bool lex_error(std::size_t pos, std::string message) {
    (void)fail_at(pos, std::move(message));
    return false;
  }

  // Reads the next token into cur_; false on a lexical error (in error_).
  bool advance() {
    while (pos_ < text_.size() && detail::is_space(text_[pos_])) ++pos_;
    token t;
    t.pos = pos_;
    if (pos_ >= text_.size()) {
      cur_ = t;
      return true;
    }
    const char c = text_[pos_];
    const auto two = text_.substr(pos_, 2);
    const auto single = [&](tok k) {
      t.kind = k;
      t.len = 1;
      ++pos_;
    };
    if (two == "==" || two == "!=" || two == "<=" || two == ">=") {
      t.kind = two == "==" ? tok::eq : two == "!=" ? tok::ne : two == "<=" ? tok::le : tok::ge;
      t.len = 2;
      pos_ += 2;
    } else if (c == '<') {
      single(tok::lt);
    } else if (c == '>') {
      single(tok::gt);
    } else if (c == '[') {
      single(tok::lbracket);
    } else if (c == ']') {
      single(tok::rbracket);
    } else if (c == '(') {
      single(tok::lparen);
    } else if (c == ')') {
      single(tok::rparen);
    } else if (c == ',') {
      single(tok::comma);
    } else if (c == '=') {
      return lex_error(pos_, "'=' is not an operator: write '==' to compare");
    } else if (c == '"' || c == '\'') {
      const char quote = c;
      std::size_t i = pos_ + 1;
      std::string s;
      while (true) {
        if (i >= text_.size()) return lex_error(pos_, "unterminated string: add the closing " + std::string(1, quote));
        const char ch = text_[i];
        if (ch == quote) break;
        if (ch == '\\' && i + 1 < text_.size()) {
          const char e = text_[i + 1];
          switch (e) {
            case 'n': s += '\n'; break;
            case 't': s += '\t'; break;
            case '\\': s += '\\'; break;
            case '"': s += '"'; break;
            case '\'': s += '\''; break;
            default: return lex_error(i, "unknown escape '\\" + std::string(1, e) + "'");
          }
          i += 2;
          continue;
        }
        s += ch;
        ++i;
      }
      t.kind = tok::string;
      t.text = std::move(s);
      t.len = i + 1 - pos_;
      pos_ = i + 1;
    } else if (detail::is_digit(c) || (c == '-' && pos_ + 1 < text_.size() &&
                                       (detail::is_digit(text_[pos_ + 1]) || text_[pos_ + 1] == '.'))) {
      std::size_t i = pos_ + 1;
      while (i < text_.size() && (is_name_char(text_[i]) || ((text_[i] == '+' || text_[i] == '-') &&
                                                             (text_[i - 1] == 'e' || text_[i - 1] == 'E'))))
        ++i;
      const std::string_view word = text_.substr(pos_, i - pos_);
      t.kind = tok::number;
      t.len = word.size();
      double d = 0;
      const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), d);
      if (ec == std::errc() && ptr == word.data() + word.size()) {
        t.number = d;
      } else if (auto dur = parse_duration(word); dur && dur->is_seconds()) {
        t.number = static_cast<double>(dur->value.count());
      } else if (dur && dur->is_business_days()) {
        return lex_error(pos_, "business days '" + std::string(word) + "' cannot be compared in a condition");
      } else if (dur) {
        return lex_error(pos_, "calendar days '" + std::string(word) + "' cannot be compared in a condition");
      } else {
        return lex_error(pos_, "not a number or a duration: '" + std::string(word) + "'");
      }
      pos_ = i;
    } else if (is_name_start(c)) {
      std::size_t i = pos_ + 1;
      while (i < text_.size() && is_name_char(text_[i])) ++i;
      t.kind = tok::name;
      t.text = std::string(text_.substr(pos_, i - pos_));
      t.len = i - pos_;
      pos_ = i;
    } else {
      return lex_error(pos_, "unexpected character '" + std::string(1, c) + "'");
    }
    cur_ = std::move(t);
    return true;
  }

  bool is_word(const char* w) const { return cur_.kind == tok::name && cur_.text == w; }

  static node binary(op code, int a, int b) {
    node n;
    n.code = code;
    n.a = a;
    n.b = b;
    return n;
  }

  int add(node n) {
    out_.nodes.push_back(n);
    return static_cast<int>(out_.nodes.size()) - 1;
  }

  result<int> parse_or() {
    auto left = parse_and();
    if (!left) return left;
    while (is_word("or")) {
      const auto at = cur_.pos;
      if (!advance()) return tl::unexpected(error_);
      if (cur_.kind == tok::end) return fail_at(cur_.pos, "expected a condition after 'or'");
      (void)at;
      auto right = parse_and();
      if (!right) return right;
      left = add(binary(op::or_, *left, *right));
    }
    return left;
  }

  result<int> parse_and() {
    auto left = parse_not();
    if (!left) return left;
    while (is_word("and")) {
      if (!advance()) return tl::unexpected(error_);
      if (cur_.kind == tok::end) return fail_at(cur_.pos, "expected a condition after 'and'");
      auto right = parse_not();
      if (!right) return right;
      left = add(binary(op::and_, *left, *right));
    }
    return left;
  }

  result<int> parse_not() {
    if (is_word("not")) {
      if (!advance()) return tl::unexpected(error_);
      if (cur_.kind == tok::end) return fail_at(cur_.pos, "expected a condition after 'not'");
      if (++depth_ > 200) return fail_at(cur_.pos, "condition nested too deeply");
      auto inner = parse_not();
      --depth_;
      if (!inner) return inner;
      return add(binary(op::not_, *inner, -1));
    }
    return parse_comparison();
  }

  bool is_list_literal(int i) const { return out_.nodes[static_cast<std::size_t>(i)].list; }
  static bool is_reserved(std::string_view w) { return w == "and" || w == "or" || w == "not" || w == "in"; }
  static bool is_constant(std::string_view w) { return w == "true" || w == "false" || w == "null"; }

  result<int> parse_comparison() {
    const std::size_t left_pos = cur_.pos;
    auto left = parse_primary();
    if (!left) return left;
    op code;
    switch (cur_.kind) {
      case tok::eq: code = op::eq; break;
      case tok::ne: code = op::ne; break;
      case tok::lt: code = op::lt; break;
      case tok::le: code = op::le; break;
      case tok::gt: code = op::gt; break;
      case tok::ge: code = op::ge; break;
      default:
        if (is_word("in")) {
          code = op::in;
        } else if (is_word("not")) {
          // "x not in [...]"
          const auto save_pos = pos_;
          const token save = cur_;
          if (!advance()) return tl::unexpected(error_);
          if (!is_word("in")) {
            pos_ = save_pos;
            cur_ = save;
            return fail_at(save.pos, "expected 'in' after 'not' (write 'not in [...]'), or 'and' / 'or'");
          }
          code = op::not_in;
        } else {
          if (is_list_literal(*left))
            return fail_at(left_pos, "a list is not a condition: compare it, e.g. tags == [\"vip\"]");
          return left;
        }
    }
    const token op_token = cur_;
    if (!advance()) return tl::unexpected(error_);
    const std::string op_text(text_.substr(op_token.pos, op_token.len));
    if (code == op::in || code == op::not_in) {
      const std::string in_text = code == op::in ? "in" : "not in";
      if (cur_.kind == tok::name && cur_.text != "event" && !is_reserved(cur_.text) && !is_constant(cur_.text)) {
        // x in ATTR: membership of the list the attribute holds.
        node attr;
        attr.code = op::attribute;
        attr.slot = slot_for(cur_);
        const token name = cur_;
        if (!advance()) return tl::unexpected(error_);
        if (cur_.kind == tok::lparen)
          return fail_at(name.pos, "expected a list such as [\"P1\", \"P2\"] or a list attribute after '" + in_text + "'");
        return add(binary(code == op::in ? op::in_list : op::not_in_list, *left, add(attr)));
      }
      if (cur_.kind != tok::lbracket)
        return fail_at(cur_.pos, "expected a list such as [\"P1\", \"P2\"] or a list attribute after '" + in_text + "'");
      auto list = parse_list();
      if (!list) return list;
      return add(binary(code, *left, *list));
    }
    if (cur_.kind == tok::end) return fail_at(cur_.pos, "expected a value after '" + op_text + "'");
    const std::size_t right_pos = cur_.pos;
    auto right = parse_primary();
    if (!right) return right;
    const bool lists = is_list_literal(*left) || is_list_literal(*right);
    if (lists && code != op::eq && code != op::ne)
      return fail_at(op_token.pos, "lists have no order: compare a list with == or !=, or test its items with in, has_any or has_all");
    for (const int side : {*left, *right}) {
      if (is_list_literal(side) && out_.nodes[static_cast<std::size_t>(side)].literal.is_null())
        return fail_at(side == *left ? left_pos : right_pos,
                       "a list compared whole holds only text, numbers and bools (no null)");
    }
    node cmp = binary(code, *left, *right);
    cmp.instants = out_.nodes[static_cast<std::size_t>(*left)].code == op::due ||
                   out_.nodes[static_cast<std::size_t>(*right)].code == op::due;
    return add(cmp);
  }

  result<int> parse_list() {
    // cur_ is '['
    const std::size_t open = cur_.pos;
    if (!advance()) return tl::unexpected(error_);
    node n;
    n.code = op::literal;
    n.first = static_cast<int>(out_.lists.size());
    std::vector<value> items;
    if (cur_.kind != tok::rbracket) {
      while (true) {
        auto v = literal_value();
        if (!v) return fail_at(cur_.pos, cur_.kind == tok::end ? "unterminated list: add ']'"
                                                               : "expected a literal value in the list, got " + describe(cur_));
        items.push_back(*v);
        if (!advance()) return tl::unexpected(error_);
        if (cur_.kind == tok::comma) {
          if (!advance()) return tl::unexpected(error_);
          continue;
        }
        if (cur_.kind == tok::rbracket) break;
        if (cur_.kind == tok::end) return fail_at(open, "unterminated list: add ']'");
        return fail_at(cur_.pos, "expected ',' or ']' in the list, got " + describe(cur_));
      }
    }
    out_.lists.insert(out_.lists.end(), items.begin(), items.end());
    n.count = static_cast<int>(items.size());
    n.list = true;
    list_builder whole;
    bool all_taken = true;
    for (const value& item : items) all_taken = whole.add(item) && all_taken;
    if (all_taken) {
      out_.strings.push_back(whole.text());
      n.literal = value::list(out_.strings.back());
    }
    if (!advance()) return tl::unexpected(error_);  // past ']'
    return add(n);
  }

  // The literal at cur_ (string, number, true, false, null), or nullopt.
  std::optional<value> literal_value() {
    switch (cur_.kind) {
      case tok::string:
        out_.strings.push_back(cur_.text);
        literal_at.emplace(out_.strings.back().data(), cur_.pos);
        return value::string(out_.strings.back());
      case tok::number: return value::number(cur_.number);
      case tok::name:
        if (cur_.text == "true") return value::boolean(true);
        if (cur_.text == "false") return value::boolean(false);
        if (cur_.text == "null") return value::null();
        return std::nullopt;
      default: return std::nullopt;
    }
  }

  result<int> parse_primary() {
    if (cur_.kind == tok::lbracket) return parse_list();
    if (auto v = literal_value()) {
      node n;
      n.code = op::literal;
      n.literal = *v;
      if (!advance()) return tl::unexpected(error_);
      return add(n);
    }
    switch (cur_.kind) {
      case tok::lparen: {
        const std::size_t open = cur_.pos;
        if (!advance()) return tl::unexpected(error_);
        if (++depth_ > 200) return fail_at(cur_.pos, "condition nested too deeply");
        auto inner = parse_or();
        --depth_;
        if (!inner) return inner;
        if (cur_.kind != tok::rparen)
          return fail_at(cur_.kind == tok::end ? open : cur_.pos,
                         cur_.kind == tok::end ? "unclosed '(': add ')'" : "expected ')', got " + describe(cur_));
        if (!advance()) return tl::unexpected(error_);
        return inner;
      }
      case tok::name: {
        const token name = cur_;
        static constexpr const char* reserved[] = {"and", "or", "not", "in"};
        for (const char* r : reserved)
          if (name.text == r) return fail_at(name.pos, "expected a value, got '" + name.text + "'");
        if (!advance()) return tl::unexpected(error_);
        if (cur_.kind == tok::lparen) return parse_call(name);
        node n;
        if (name.text == "event") {
          n.code = op::event;
          out_.uses_event = true;
        } else if (risk_names_ && name.text == "due") {
          n.code = op::due;
        } else if (risk_names_ && name.text == "remaining") {
          n.code = op::remaining;
        } else {
          n.code = op::attribute;
          n.slot = slot_for(name);
        }
        return add(n);
      }
      case tok::end: return fail_at(cur_.pos, "expected a value, got the end of the condition");
      default: return fail_at(cur_.pos, "expected a value, got " + describe(cur_));
    }
  }

  result<int> parse_call(const token& name) {
    // cur_ is '('
    op code;
    if (name.text == "exists") code = op::exists;
    else if (name.text == "changed") code = op::changed;
    else if (name.text == "is_open") return parse_is_open(name);
    else if (name.text == "has_any" || name.text == "has_all") return parse_has(name);
    else return fail_at(name.pos, "unknown function '" + name.text +
                                      "' (expected exists, changed, is_open, has_any or has_all)");
    if (!advance()) return tl::unexpected(error_);
    if (cur_.kind != tok::name || cur_.text == "event")
      return fail_at(cur_.pos, name.text + "() takes an attribute name, e.g. " + name.text + "(assignee)");
    node n;
    n.code = code;
    n.slot = slot_for(cur_);
    if (!advance()) return tl::unexpected(error_);
    if (cur_.kind != tok::rparen) return fail_at(cur_.pos, "expected ')' after the attribute name");
    if (!advance()) return tl::unexpected(error_);
    return add(n);
  }

  // has_any(ATTR, [...]) and has_all(ATTR, [...]): the list ATTR holds has one
  // of the items, or every one of them.
  result<int> parse_has(const token& name) {
    if (!advance()) return tl::unexpected(error_);
    const std::string usage = name.text + "(tags, [\"vip\", \"billing\"])";
    if (cur_.kind != tok::name || cur_.text == "event" || is_reserved(cur_.text) || is_constant(cur_.text))
      return fail_at(cur_.pos, name.text + "() takes an attribute name and a list, e.g. " + usage);
    node attr;
    attr.code = op::attribute;
    attr.slot = slot_for(cur_);
    const int a = add(attr);
    if (!advance()) return tl::unexpected(error_);
    if (cur_.kind != tok::comma) return fail_at(cur_.pos, "expected ',' and a list after the attribute name, e.g. " + usage);
    if (!advance()) return tl::unexpected(error_);
    if (cur_.kind != tok::lbracket) return fail_at(cur_.pos, "expected a list such as [\"vip\", \"billing\"], e.g. " + usage);
    auto list = parse_list();
    if (!list) return list;
    if (cur_.kind != tok::rparen) return fail_at(cur_.pos, "expected ')' after the list");
    if (!advance()) return tl::unexpected(error_);
    return add(binary(name.text == "has_any" ? op::has_any : op::has_all, a, *list));
  }

  // is_open("CAL"): a calendar of the policy, named in quotes.
  result<int> parse_is_open(const token& name) {
    if (!advance()) return tl::unexpected(error_);
    if (cur_.kind != tok::string)
      return fail_at(cur_.pos, "is_open() takes a calendar name in quotes, e.g. is_open(\"support\")");
    const std::string cal = cur_.text;
    int index = -1;
    for (std::size_t k = 0; k < calendar_names_.size(); ++k)
      if (calendar_names_[k] == cal) index = static_cast<int>(k);
    if (index < 0) {
      std::string known;
      for (const auto& c : calendar_names_) known += (known.empty() ? "" : ", ") + c;
      return fail_at(cur_.pos, "unknown calendar '" + cal + "'" +
                                   (known.empty() ? std::string(" (the policy defines no calendars)")
                                                  : " (defined: " + known + ")"));
    }
    if (!advance()) return tl::unexpected(error_);
    if (cur_.kind != tok::rparen) return fail_at(cur_.pos, "expected ')' after the calendar name");
    if (!advance()) return tl::unexpected(error_);
    (void)name;
    node n;
    n.code = op::is_open;
    n.slot = index;
    return add(n);
  }
};

// attributes_read(): the names in first-use order, then what each comparison
// (any node with two operands but and / or) puts beside an attribute: another
// attribute, a text literal, or the text items of a list.
void note_uses(condition::impl& c, const parser& p, const slot_table& slots) {
  std::unordered_map<int, std::size_t> use_of;  // slot -> index in c.uses
  for (const auto& [slot, pos] : p.first_use) {
    use_of.emplace(slot, c.uses.size());
    condition::attribute_use u;
    u.name = slots.names()[static_cast<std::size_t>(slot)];
    u.column = static_cast<int>(pos) + 1;
    c.uses.push_back(std::move(u));
  }
  const auto use = [&](int i) -> condition::attribute_use* {
    const node& n = c.nodes[static_cast<std::size_t>(i)];
    if (n.code != op::attribute) return nullptr;
    const auto it = use_of.find(n.slot);
    return it == use_of.end() ? nullptr : &c.uses[it->second];
  };
  const auto literals = [&](int i, condition::attribute_use& u) {
    const node& n = c.nodes[static_cast<std::size_t>(i)];
    if (n.code != op::literal) return;
    const auto add = [&](const value& v) {
      if (v.kind() != value_kind::string) return;
      const auto at = p.literal_at.find(v.as_string().data());
      u.literals.push_back({std::string(v.as_string()), at == p.literal_at.end() ? 0 : static_cast<int>(at->second) + 1});
    };
    if (n.count > 0) {
      for (int k = 0; k < n.count; ++k) add(c.lists[static_cast<std::size_t>(n.first + k)]);
    } else {
      add(n.literal);
    }
  };
  for (const node& n : c.nodes) {
    if (n.a < 0 || n.b < 0 || n.code == op::and_ || n.code == op::or_) continue;
    auto* x = use(n.a);
    auto* y = use(n.b);
    if (x != nullptr && y != nullptr) {
      x->compared_with.push_back(y->name);
      y->compared_with.push_back(x->name);
    } else if (x != nullptr) {
      literals(n.b, *x);
    } else if (y != nullptr) {
      literals(n.a, *y);
    }
  }
}

}  // namespace

result<condition> condition::compile(std::string_view text, slot_table& slots, bool risk_names,
                                     std::span<const std::string> calendar_names) {
  auto out = std::make_shared<impl>();
  out->text = std::string(text);
  parser p(out->text, slots, *out, risk_names, calendar_names);
  auto root = p.parse();
  if (!root) return tl::unexpected(std::move(root.error()));
  note_uses(*out, p, slots);
  // The evaluator starts from the last node: make sure it is the root.
  if (static_cast<std::size_t>(*root) + 1 != out->nodes.size()) {
    node copy = out->nodes[static_cast<std::size_t>(*root)];
    out->nodes.push_back(copy);
  }
  return condition(std::shared_ptr<const impl>(std::move(out)));
}

}  // namespace duly
