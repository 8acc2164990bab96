// The report as one self-contained HTML page (write_report_html), and one
// record's timeline as such a page (write_timeline_html).
//
// The page holds no script and makes no request: styles are inline, charts are
// inline SVG, and a Content-Security-Policy of default-src 'none' tells the
// browser to load nothing even if a value slipped through. Every text that
// comes from the policy or the events goes through append_html (escaped, not
// UTF-8 and control characters replaced), inside <bdi> where it may be
// right-to-left. Numbers are the report's integers; percentages are computed
// here for display only, beside the exact fraction, and every figure a test
// reads is also in a data-value attribute.
#include <duly/report.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include <duly/version.hpp>

#include "report/report_text.hpp"

namespace duly {
namespace {

using namespace report_detail;

constexpr std::string_view style = R"css(
:root{--fg:#1b1f24;--muted:#59636e;--line:#d0d7de;--bg:#fff;--card:#f6f8fa;--run:#2f6db5;--pause:#a8b1ba;--late:#b3261e;--fire:#d97706}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 20px}
header{padding-top:16px}
h1{font-size:1.6rem;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:0 0 6px}
p{margin:6px 0}
.meta,.note{color:var(--muted)}
nav ul{list-style:none;margin:8px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:4px 18px}
a{color:#0b5cad}
bdi{unicode-bidi:isolate}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.big{font-size:2rem;font-weight:650;line-height:1.1}
.card dl{display:grid;grid-template-columns:1fr auto;gap:2px 12px;margin:10px 0 0}
.card dt{color:var(--muted)}
.card dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;width:100%;font-size:.93rem}
caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{padding:4px 6px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;background:var(--card)}
.n{text-align:right;white-space:nowrap}
.t{overflow-wrap:break-word}
.k{white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
tr.late td:first-child{border-left:3px solid var(--late)}
figure{margin:0}
.chart{overflow-x:auto}
.chart svg{display:block;width:100%;min-width:520px;max-width:960px;height:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:var(--fg)}
.legend{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.9rem}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin-right:5px}
article.record{margin-top:22px;padding-top:8px;border-top:1px solid var(--line)}
ol.explain{font-size:.88rem;padding-left:2.2em;margin:8px 0}
ol.explain li{margin:2px 0;overflow-wrap:anywhere}
.what{display:inline-block;min-width:5.5em;font-weight:600}
.what-breach,.what-escalation{color:var(--late)}
.what-event{color:var(--muted)}
time{white-space:nowrap}
@media (max-width:600px){body{font-size:14px}header,main,footer{padding:0 10px}header{padding-top:10px}.big{font-size:1.6rem}th,td{padding:3px 5px}h1{font-size:1.3rem}}
@media print{body{font-size:10pt}nav{display:none}a{color:inherit;text-decoration:none}.card,figure,table{break-inside:avoid}.chart{overflow:visible}.chart svg{min-width:0}tbody tr:nth-child(even){background:none}th{background:none}article.record{break-before:auto;break-inside:avoid-page}}
)css";

constexpr std::string_view palette[] = {"#2f6db5", "#d97706", "#2a8c55", "#8e44ad", "#00838f", "#7f6a00", "#ad1457",
                                        "#5d4037"};

class page {
 public:
  std::string out;

  page& raw(std::string_view s) {
    out += s;
    return *this;
  }
  page& text(std::string_view s, std::size_t max = 0) {
    append_html(out, s, max);
    return *this;
  }
  // User text that may be right-to-left, isolated from what surrounds it.
  page& bdi(std::string_view s, std::size_t max = 2000) {
    out += "<bdi>";
    append_html(out, s, max);
    out += "</bdi>";
    return *this;
  }
  page& num(std::int64_t n) {
    out += std::to_string(n);
    return *this;
  }
  page& num(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", d);
    out += buf;
    return *this;
  }
  page& when(instant t) {
    out += "<time datetime=\"";
    out += format_instant(t);
    out += "\">";
    out += compact_instant(t);
    out += "</time>";
    return *this;
  }
  page& when(const std::optional<instant>& t) { return t ? when(*t) : raw("-"); }
  // A number cell with its exact value for machines.
  page& count_cell(std::string_view col, std::int64_t n) {
    raw("<td class=\"n\" data-col=\"").raw(col).raw("\" data-value=\"").num(n).raw("\">").num(n).raw("</td>");
    return *this;
  }
  page& seconds_cell(std::string_view col, const std::optional<seconds>& s) {
    raw("<td class=\"n\" data-col=\"").raw(col).raw("\"");
    if (s) raw(" data-value=\"").num(s->count()).raw("\">").raw(exact_duration(*s));
    else raw(">-");
    return raw("</td>");
  }
  page& attainment_cell(std::int64_t met, std::int64_t breached) {
    const std::int64_t judged = met + breached;
    raw("<td class=\"n\" data-col=\"attainment\" data-met=\"").num(met).raw("\" data-judged=\"").num(judged).raw("\">");
    if (judged > 0) raw(percent_text(met, judged)).raw(" <span class=\"note\">(").num(met).raw("/").num(judged).raw(")</span>");
    else raw("-");
    return raw("</td>");
  }
};

void head(page& p, std::string_view title) {
  p.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        "<meta name=\"generator\" content=\"duly ")
      .raw(version_string)
      .raw("\">\n<title>")
      .text(title, 200)
      .raw("</title>\n<style>")
      .raw(style)
      .raw("</style>\n</head>\n<body>\n");
}

void foot(page& p) {
  p.raw("<footer><p class=\"note\">Written by duly ")
      .raw(version_string)
      .raw(". Instants are UTC. Durations to stop are business time: the open seconds of each goal's calendar.</p>"
           "</footer>\n</body>\n</html>\n");
}

std::string month_text(std::chrono::year_month m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(m.year()), static_cast<unsigned>(m.month()));
  return buf;
}

std::string target_color(const std::map<std::string, std::size_t>& colors, const std::string& target) {
  const auto it = colors.find(target);
  return std::string(palette[(it == colors.end() ? 0 : it->second) % std::size(palette)]);
}

// --- the headline, the table, the months ---------------------------------------------

void headline(page& p, const report& r) {
  p.raw("<section id=\"targets\" aria-labelledby=\"targets-h\">\n<h2 id=\"targets-h\">Targets</h2>\n<div class=\"cards\">\n");
  for (const attainment_row& a : r.targets) {
    const std::int64_t judged = a.met + a.breached;
    p.raw("<section class=\"card\" data-target=\"").text(a.target).raw("\">\n<h3>").bdi(a.target, 80);
    if (!a.kind.empty()) p.raw(" <span class=\"note\">").text(a.kind, 20).raw("</span>");
    p.raw("</h3>\n<div class=\"big\">");
    if (judged > 0) p.raw(percent_text(a.met, judged));
    else p.raw("-");
    p.raw("</div>\n<div class=\"note\">attainment: ").num(a.met).raw(" met of ").num(judged).raw(" judged</div>\n<dl>");
    const auto item = [&](std::string_view label, std::string_view col, std::int64_t n) {
      p.raw("<dt>").raw(label).raw("</dt><dd data-col=\"").raw(col).raw("\" data-value=\"").num(n).raw("\">").num(n).raw("</dd>");
    };
    const auto dur = [&](std::string_view label, std::string_view col, const std::optional<seconds>& s) {
      p.raw("<dt>").raw(label).raw("</dt><dd data-col=\"").raw(col).raw("\"");
      if (s) p.raw(" data-value=\"").num(s->count()).raw("\">").raw(exact_duration(*s));
      else p.raw(">-");
      p.raw("</dd>");
    };
    item("cycles", "cycles", a.cycles);
    item("met", "met", a.met);
    item("breached", "breached", a.breached);
    if (a.no_goal) item("no goal", "no_goal", a.no_goal);
    if (a.open) item("open", "open", a.open);
    if (a.cancelled) item("cancelled", "cancelled", a.cancelled);
    if (a.reset) item("reset", "reset", a.reset);
    if (a.pending) item("never started", "pending", a.pending);
    dur("median time to stop", "p50_seconds", a.p50);
    dur("90th percentile", "p90_seconds", a.p90);
    p.raw("</dl>\n</section>\n");
  }
  if (r.targets.empty()) p.raw("<p class=\"note\">No timers: the events started no target.</p>\n");
  p.raw("</div>\n</section>\n");
}

void attainment_table(page& p, const report& r) {
  p.raw("<section id=\"attainment\" aria-labelledby=\"attainment-h\">\n<h2 id=\"attainment-h\">Attainment");
  if (!r.by.empty()) p.raw(" by ").bdi(r.by, 80);
  p.raw("</h2>\n<div class=\"scroll\"><table id=\"attainment-table\">\n<thead><tr><th data-col=\"target\">target</th>");
  if (!r.by.empty()) p.raw("<th data-col=\"by\">").bdi(r.by, 80).raw("</th>");
  p.raw("<th class=\"n\" data-col=\"cycles\">cycles</th><th class=\"n\" data-col=\"met\">met</th>"
        "<th class=\"n\" data-col=\"breached\">breached</th><th class=\"n\" data-col=\"attainment\">attainment</th>"
        "<th class=\"n\" data-col=\"no_goal\">no goal</th><th class=\"n\" data-col=\"open\">open</th>"
        "<th class=\"n\" data-col=\"cancelled\">cancelled</th><th class=\"n\" data-col=\"reset\">reset</th>"
        "<th class=\"n\" data-col=\"pending\">pending</th><th class=\"n\" data-col=\"p50_seconds\">median to stop</th>"
        "<th class=\"n\" data-col=\"p90_seconds\">p90 to stop</th></tr></thead>\n<tbody>\n");
  for (const attainment_row& a : r.rows) {
    p.raw("<tr><td class=\"k\" data-col=\"target\">").bdi(a.target, 200).raw("</td>");
    if (!r.by.empty()) {
      p.raw("<td class=\"t\" data-col=\"by\" data-kind=\"");
      switch (a.by_value.kind()) {
        case value_kind::null: p.raw("null\">").raw("<span class=\"note\">(none)</span>"); break;
        case value_kind::boolean: p.raw("bool\">").raw(value_text(a.by_value.view(), "")); break;
        case value_kind::number: p.raw("number\">").raw(value_text(a.by_value.view(), "")); break;
        case value_kind::string: p.raw("string\">").bdi(a.by_value.view().as_string(), 500); break;
        case value_kind::list: p.raw("list\">").bdi(a.by_value.view().list_text(), 500); break;
      }
      p.raw("</td>");
    }
    p.count_cell("cycles", a.cycles).count_cell("met", a.met).count_cell("breached", a.breached);
    p.attainment_cell(a.met, a.breached);
    p.count_cell("no_goal", a.no_goal).count_cell("open", a.open).count_cell("cancelled", a.cancelled);
    p.count_cell("reset", a.reset).count_cell("pending", a.pending);
    p.seconds_cell("p50_seconds", a.p50).seconds_cell("p90_seconds", a.p90);
    p.raw("</tr>\n");
  }
  p.raw("</tbody>\n</table></div>\n<p class=\"note\">Each cycle counts once: met (stopped by its due), breached "
        "(stopped past due, active past due now, or reset or cancelled after its due), no goal (stopped with no goal "
        "in force), open (running or paused, not yet past due), cancelled or reset before its due; pending: records on "
        "which the target never started. Attainment is met / (met + breached).");
  if (!r.by.empty())
    p.raw(" A cycle is counted under the value the record had when it was decided: just before its breach, just "
          "before its stop, or now.");
  p.raw("</p>\n</section>\n");
}

void months_chart(page& p, const report& r, const std::map<std::string, std::size_t>& colors) {
  p.raw("<section id=\"months\" aria-labelledby=\"months-h\">\n<h2 id=\"months-h\">Attainment by month</h2>\n");
  if (r.months.empty()) {
    p.raw("<p class=\"note\">No cycle was judged (met or breached) yet.</p>\n</section>\n");
    return;
  }
  // Every month from the first to the last, so that gaps show.
  const auto index_of = [](std::chrono::year_month m) {
    return static_cast<int>(m.year()) * 12 + static_cast<int>(static_cast<unsigned>(m.month())) - 1;
  };
  const int first = index_of(r.months.front().month), last = index_of(r.months.back().month);
  const int n_months = last - first + 1;
  std::vector<std::string> targets;
  for (const attainment_row& a : r.targets)
    if (std::any_of(r.months.begin(), r.months.end(), [&](const month_row& m) { return m.target == a.target; }))
      targets.push_back(a.target);
  const double W = 720, H = 260, L = 44, R = 10, T = 12, B = 40;
  const double PW = W - L - R, PH = H - T - B;
  const double slot = PW / n_months;
  const double bar =
      std::clamp((slot * 0.8) / static_cast<double>(std::max<std::size_t>(targets.size(), 1)), 1.0, 40.0);

  std::string summary;
  for (const std::string& t : targets) {
    std::int64_t met = 0, judged = 0;
    for (const month_row& m : r.months)
      if (m.target == t) met += m.met, judged += m.met + m.breached;
    if (!summary.empty()) summary += "; ";
    summary += t + ": " + std::to_string(met) + " met of " + std::to_string(judged) + " judged over " +
               std::to_string(n_months) + (n_months == 1 ? " month" : " months");
  }
  p.raw("<figure>\n<div class=\"chart\"><svg id=\"months-chart\" role=\"img\" aria-labelledby=\"months-t months-d\" "
        "viewBox=\"0 0 720 260\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"months-t\">Attainment by month, "
        "per target</title>\n<desc id=\"months-d\">")
      .text(summary, 2000)
      .raw("</desc>\n");
  for (int k = 0; k <= 4; ++k) {
    const double y = T + PH - PH * k / 4.0;
    p.raw("<line x1=\"").num(L).raw("\" x2=\"").num(W - R).raw("\" y1=\"").num(y).raw("\" y2=\"").num(y)
        .raw("\" stroke=\"#d0d7de\" stroke-width=\"1\"/>");
    p.raw("<text x=\"").num(L - 6).raw("\" y=\"").num(y + 4).raw("\" font-size=\"12\" text-anchor=\"end\">")
        .num(static_cast<std::int64_t>(k * 25)).raw("%</text>\n");
  }
  const int label_every = std::max(1, (n_months + 11) / 12);
  for (int i = 0; i < n_months; ++i) {
    if (i % label_every != 0) continue;
    const int m = first + i;
    const std::chrono::year_month ym{std::chrono::year(m / 12), std::chrono::month(static_cast<unsigned>(m % 12 + 1))};
    p.raw("<text x=\"").num(L + slot * (i + 0.5)).raw("\" y=\"").num(H - B + 18)
        .raw("\" font-size=\"12\" text-anchor=\"middle\">").raw(month_text(ym)).raw("</text>\n");
  }
  for (const month_row& m : r.months) {
    const auto ti = std::find(targets.begin(), targets.end(), m.target) - targets.begin();
    const std::int64_t judged = m.met + m.breached;
    const double share = judged > 0 ? static_cast<double>(m.met) / static_cast<double>(judged) : 0;
    const double group = bar * static_cast<double>(targets.size());
    const double x = L + slot * (index_of(m.month) - first) + (slot - group) / 2 + bar * static_cast<double>(ti);
    const double h = std::max(PH * share, 1.0);
    p.raw("<rect x=\"").num(x).raw("\" y=\"").num(T + PH - h).raw("\" width=\"").num(std::max(bar - 1, 1.0))
        .raw("\" height=\"").num(h).raw("\" fill=\"").raw(target_color(colors, m.target)).raw("\"><title>")
        .text(m.target, 80).raw(", ").raw(month_text(m.month)).raw(": ").num(m.met).raw(" met of ").num(judged)
        .raw(" judged (").raw(percent_text(m.met, judged)).raw(")</title></rect>\n");
  }
  p.raw("</svg></div>\n<figcaption><ul class=\"legend\">");
  for (const std::string& t : targets)
    p.raw("<li><span class=\"sw\" style=\"background:").raw(target_color(colors, t)).raw("\"></span>").bdi(t, 80).raw("</li>");
  p.raw("</ul></figcaption>\n</figure>\n");
  p.raw("<div class=\"scroll\"><table id=\"months-table\">\n<caption>The numbers of the chart</caption>\n<thead><tr>"
        "<th data-col=\"month\">month</th><th data-col=\"target\">target</th><th class=\"n\" data-col=\"met\">met</th>"
        "<th class=\"n\" data-col=\"breached\">breached</th><th class=\"n\" data-col=\"attainment\">attainment</th>"
        "</tr></thead>\n<tbody>\n");
  for (const month_row& m : r.months) {
    p.raw("<tr><td class=\"k\" data-col=\"month\" data-value=\"").raw(month_text(m.month)).raw("\">").raw(month_text(m.month))
        .raw("</td><td class=\"k\" data-col=\"target\">").bdi(m.target, 200).raw("</td>");
    p.count_cell("met", m.met).count_cell("breached", m.breached).attainment_cell(m.met, m.breached);
    p.raw("</tr>\n");
  }
  p.raw("</tbody>\n</table></div>\n<p class=\"note\">A cycle is judged in the month it stopped, or, when it ran past "
        "its due while active, the month of its breach.</p>\n</section>\n");
}

void breaches_table(page& p, const report& r) {
  p.raw("<section id=\"breaches\" aria-labelledby=\"breaches-h\">\n<h2 id=\"breaches-h\">Breaches</h2>\n");
  p.raw("<p data-breaches=\"").num(static_cast<std::int64_t>(r.breaches_total)).raw("\" data-records=\"")
      .num(static_cast<std::int64_t>(r.breached_records)).raw("\">")
      .num(static_cast<std::int64_t>(r.breaches_total))
      .raw(r.breaches_total == 1 ? " breached cycle on " : " breached cycles on ")
      .num(static_cast<std::int64_t>(r.breached_records))
      .raw(r.breached_records == 1 ? " record" : " records")
      .raw(", the latest breach first.</p>\n");
  if (r.breaches.empty()) {
    p.raw("</section>\n");
    return;
  }
  p.raw("<div class=\"scroll\"><table id=\"breaches-table\">\n<thead><tr><th data-col=\"id\">record</th>"
        "<th data-col=\"target\">target</th><th class=\"n\" data-col=\"cycle\">cycle</th><th data-col=\"state\">state</th>"
        "<th data-col=\"due\">due</th><th data-col=\"breached_at\">breached at</th><th data-col=\"stopped\">stopped</th>"
        "<th class=\"n\" data-col=\"goal_seconds\">goal</th><th class=\"n\" data-col=\"elapsed_seconds\">elapsed</th>");
  if (!r.by.empty()) p.raw("<th data-col=\"by\">").bdi(r.by, 80).raw("</th>");
  p.raw("</tr></thead>\n<tbody>\n");
  for (const breach_row& b : r.breaches) {
    p.raw("<tr class=\"late\"><td class=\"t\" data-col=\"id\">");
    if (b.timeline >= 0) p.raw("<a href=\"#record-").num(static_cast<std::int64_t>(b.timeline)).raw("\">").bdi(b.id, 200).raw("</a>");
    else p.bdi(b.id, 200);
    p.raw("</td><td class=\"k\" data-col=\"target\">").bdi(b.target, 200).raw("</td>");
    p.count_cell("cycle", b.cycle);
    p.raw("<td data-col=\"state\">").raw(to_string(b.state)).raw("</td><td data-col=\"due\">").when(b.due)
        .raw("</td><td data-col=\"breached_at\">").when(b.breached_at).raw("</td><td data-col=\"stopped\">")
        .when(b.stopped).raw("</td>");
    p.seconds_cell("goal_seconds", b.goal_seconds).seconds_cell("elapsed_seconds", b.elapsed_seconds);
    if (!r.by.empty()) {
      p.raw("<td class=\"t\" data-col=\"by\">");
      if (b.by_value.kind() == value_kind::string || b.by_value.kind() == value_kind::list)
        p.bdi(b.by_value.view().as_string(), 500);  // a list as its JSON text
      else p.raw(value_text(b.by_value.view(), "<span class=\"note\">(none)</span>"));
      p.raw("</td>");
    }
    p.raw("</tr>\n");
  }
  p.raw("</tbody>\n</table></div>\n");
  if (r.breaches.size() < r.breaches_total)
    p.raw("<p class=\"note\" data-left-out=\"").num(static_cast<std::int64_t>(r.breaches_total - r.breaches.size()))
        .raw("\">")
        .num(static_cast<std::int64_t>(r.breaches_total - r.breaches.size()))
        .raw(" earlier breached cycles are not listed (the page lists at most ")
        .num(static_cast<std::int64_t>(r.breaches.size()))
        .raw("); duly report --format csv and duly evaluate give them all.</p>\n");
  p.raw("</section>\n");
}

// --- a record's timeline -------------------------------------------------------------

struct span_t {
  instant from, until;
};

// [from, until) less the pauses: the running pieces.
std::vector<span_t> running_pieces(instant from, instant until, std::vector<span_t> pauses) {
  std::sort(pauses.begin(), pauses.end(), [](const span_t& a, const span_t& b) { return a.from < b.from; });
  std::vector<span_t> out;
  instant at = from;
  for (const span_t& s : pauses) {
    if (s.from > at) out.push_back({at, std::min(s.from, until)});
    at = std::max(at, s.until);
    if (at >= until) break;
  }
  if (at < until) out.push_back({at, until});
  return out;
}

// Axis ticks: a step from this list giving at most 7 ticks, aligned to UTC midnight.
std::vector<instant> ticks(instant t0, instant t1, std::int64_t& step) {
  static constexpr std::int64_t steps[] = {60,     300,     900,      1800,     3600,     3 * 3600, 6 * 3600,
                                           43200,  86400,   2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400,
                                           91 * 86400, 182 * 86400, 364 * 86400, 1820 * 86400};
  const std::int64_t span = (t1 - t0).count();
  step = steps[std::size(steps) - 1];
  for (const std::int64_t s : steps)
    if (span / s <= 6) {
      step = s;
      break;
    }
  std::vector<instant> out;
  const std::int64_t a = t0.time_since_epoch().count();
  // Weeks start on a Monday (1970-01-05), other steps at multiples from the epoch.
  const std::int64_t origin = step % (7 * 86400) == 0 ? 4 * 86400 : 0;
  std::int64_t first = ((a - origin) / step) * step + origin;
  if (first < a) first += step;
  for (std::int64_t t = first; t <= t1.time_since_epoch().count() && out.size() < 12; t += step)
    out.push_back(instant(seconds(t)));
  return out;
}

std::string tick_text(instant t, std::int64_t step) {
  std::string s = format_instant(t);  // 2026-11-23T15:30:00Z
  if (step >= 86400) return s.substr(0, 10);
  return s.substr(5, 5) + " " + s.substr(11, 5);
}

void timeline_svg(page& p, const record_timeline& t, instant as_of, int k) {
  std::vector<const timer_row*> rows;
  for (const timer_row& row : t.timers)
    if (row.cycle > 0 && row.started) rows.push_back(&row);
  if (rows.empty()) {
    p.raw("<p class=\"note\">No cycle started on this record.</p>\n");
    return;
  }
  const auto end_of = [&](const timer_row& row) { return row.stopped ? *row.stopped : as_of; };
  instant t0 = *rows.front()->started, t1 = end_of(*rows.front());
  for (const timer_row* row : rows) {
    t0 = std::min(t0, *row->started);
    t1 = std::max(t1, end_of(*row));
    if (row->due) t1 = std::max(t1, *row->due);
  }
  for (const escalation_row& e : t.escalations) t1 = std::max(t1, e.fired_at);
  if (t1 <= t0) t1 = t0 + seconds(3600);
  const double W = 720, L = 170, R = 14, ROW = 34, TOP = 8, AXIS = 34;
  const double PW = W - L - R;
  const double H = TOP + ROW * static_cast<double>(rows.size()) + AXIS;
  const double span = static_cast<double>((t1 - t0).count());
  const auto x = [&](instant at) { return L + PW * static_cast<double>((at - t0).count()) / span; };

  std::string desc;
  for (const timer_row* row : rows) {
    if (!desc.empty()) desc += "; ";
    desc += row->target + " #" + std::to_string(row->cycle) + " " + std::string(to_string(row->state)) +
            ", started " + compact_instant(*row->started);
    if (row->due) desc += ", due " + compact_instant(*row->due);
    if (row->stopped) desc += ", stopped " + compact_instant(*row->stopped);
  }
  const std::string id = "tl-" + std::to_string(k);
  p.raw("<figure>\n<div class=\"chart\"><svg role=\"img\" aria-labelledby=\"").raw(id).raw("-t ").raw(id)
      .raw("-d\" viewBox=\"0 0 720 ").num(H).raw("\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"").raw(id)
      .raw("-t\">Timeline of record ").text(t.id, 200).raw("</title>\n<desc id=\"").raw(id).raw("-d\">")
      .text(desc, 3000).raw("</desc>\n");
  std::int64_t step = 0;
  const double axis_y = TOP + ROW * static_cast<double>(rows.size());
  for (const instant tick : ticks(t0, t1, step)) {
    p.raw("<line x1=\"").num(x(tick)).raw("\" x2=\"").num(x(tick)).raw("\" y1=\"").num(TOP).raw("\" y2=\"")
        .num(axis_y + 4).raw("\" stroke=\"#e1e6eb\" stroke-width=\"1\"/>");
    p.raw("<text x=\"").num(x(tick)).raw("\" y=\"").num(axis_y + 20).raw("\" font-size=\"12\" text-anchor=\"middle\">")
        .raw(tick_text(tick, step)).raw("</text>\n");
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const timer_row& row = *rows[i];
    const double y = TOP + ROW * static_cast<double>(i);
    const double bar_y = y + 10, bar_h = 14;
    const instant start = *row.started, end = end_of(row);
    std::string label = row.target + " #" + std::to_string(row.cycle);
    p.raw("<g><title>").text(label, 200).raw(": ").raw(to_string(row.state));
    if (!row.goal_text.empty()) p.raw(", goal ").text(row.goal_text, 40);
    p.raw("</title>");
    p.raw("<text x=\"").num(L - 8).raw("\" y=\"").num(bar_y + 11).raw("\" font-size=\"13\" text-anchor=\"end\">")
        .text(label, 22).raw("</text>");
    std::vector<span_t> pauses;
    for (const pause_row& pr : t.pauses)
      if (pr.target == row.target && pr.cycle == row.cycle)
        pauses.push_back({pr.paused_from, pr.paused_until.value_or(end)});
    const double x0 = x(start), x1 = std::max(x(end), x0 + 1.5);
    p.raw("<rect x=\"").num(x0).raw("\" y=\"").num(bar_y).raw("\" width=\"").num(x1 - x0).raw("\" height=\"")
        .num(bar_h).raw("\" fill=\"#2f6db5\"/>");
    for (const span_t& s : pauses) {
      const double a = x(s.from), b = std::max(x(s.until), a + 1);
      p.raw("<rect x=\"").num(a).raw("\" y=\"").num(bar_y).raw("\" width=\"").num(b - a).raw("\" height=\"")
          .num(bar_h).raw("\" fill=\"#a8b1ba\"><title>paused ").raw(compact_instant(s.from)).raw(" to ")
          .raw(compact_instant(s.until)).raw("</title></rect>");
    }
    if (row.breached_at && *row.breached_at < end) {
      for (const span_t& s : running_pieces(std::max(*row.breached_at, start), end, pauses)) {
        const double a = x(s.from), b = std::max(x(s.until), a + 1);
        p.raw("<rect x=\"").num(a).raw("\" y=\"").num(bar_y).raw("\" width=\"").num(b - a).raw("\" height=\"")
            .num(bar_h).raw("\" fill=\"#b3261e\"><title>running past due from ").raw(compact_instant(s.from))
            .raw("</title></rect>");
      }
    }
    if (row.due) {
      const double d = x(*row.due);
      p.raw("<line x1=\"").num(d).raw("\" x2=\"").num(d).raw("\" y1=\"").num(bar_y - 5).raw("\" y2=\"")
          .num(bar_y + bar_h + 5).raw("\" stroke=\"#1b1f24\" stroke-width=\"2\"><title>due ")
          .raw(compact_instant(*row.due)).raw("</title></line>");
    }
    for (const escalation_row& e : t.escalations) {
      if (e.target != row.target || e.cycle != row.cycle) continue;
      const double f = x(e.fired_at), cy = bar_y + bar_h / 2;
      p.raw("<path d=\"M").num(f).raw(" ").num(cy - 7).raw(" L").num(f + 6).raw(" ").num(cy).raw(" L").num(f).raw(" ")
          .num(cy + 7).raw(" L").num(f - 6).raw(" ").num(cy).raw(" Z\" fill=\"#d97706\" stroke=\"#fff\" stroke-width=\"1\">"
                                                                  "<title>escalation ")
          .text(e.escalation, 80).raw(" fired ").raw(compact_instant(e.fired_at)).raw("</title></path>");
    }
    p.raw("</g>\n");
  }
  p.raw("</svg></div>\n<figcaption><ul class=\"legend\"><li><span class=\"sw\" style=\"background:#2f6db5\"></span>"
        "running</li><li><span class=\"sw\" style=\"background:#a8b1ba\"></span>paused</li><li><span class=\"sw\" "
        "style=\"background:#b3261e\"></span>running past due</li><li><span class=\"sw\" style=\"background:#1b1f24;"
        "width:3px\"></span>due</li><li><span class=\"sw\" style=\"background:#d97706;transform:rotate(45deg)\">"
        "</span>escalation fired</li></ul></figcaption>\n</figure>\n");
}

void timers_table(page& p, const record_timeline& t) {
  p.raw("<div class=\"scroll\"><table class=\"timers\">\n<thead><tr><th data-col=\"target\">target</th>"
        "<th class=\"n\" data-col=\"cycle\">cycle</th><th data-col=\"state\">state</th><th data-col=\"goal\">goal</th>"
        "<th data-col=\"started\">started</th><th data-col=\"due\">due</th><th data-col=\"stopped\">stopped</th>"
        "<th class=\"n\" data-col=\"elapsed_seconds\">elapsed</th><th class=\"n\" data-col=\"remaining_seconds\">"
        "remaining</th><th class=\"n\" data-col=\"paused_seconds\">paused</th></tr></thead>\n<tbody>\n");
  for (const timer_row& row : t.timers) {
    p.raw(row.state == timer_state::breached || (row.breached_at && row.cycle > 0) ? "<tr class=\"late\">" : "<tr>");
    p.raw("<td class=\"k\" data-col=\"target\">").bdi(row.target, 200).raw("</td>");
    p.count_cell("cycle", row.cycle);
    p.raw("<td data-col=\"state\">").raw(to_string(row.state)).raw("</td><td data-col=\"goal\"");
    if (row.goal_seconds) p.raw(" data-value=\"").num(row.goal_seconds->count()).raw("\">").text(row.goal_text, 40);
    else p.raw(">-");
    p.raw("</td><td data-col=\"started\">").when(row.started).raw("</td><td data-col=\"due\">").when(row.due)
        .raw("</td><td data-col=\"stopped\">").when(row.stopped).raw("</td>");
    p.seconds_cell("elapsed_seconds", row.elapsed_seconds).seconds_cell("remaining_seconds", row.remaining_seconds);
    p.seconds_cell("paused_seconds", row.paused_seconds);
    p.raw("</tr>\n");
  }
  p.raw("</tbody>\n</table></div>\n");
}

void explain_list(page& p, const record_timeline& t, std::size_t max_entries) {
  p.raw("<ol class=\"explain\">\n");
  std::size_t shown = 0;
  for (const explain_entry& e : t.entries) {
    if (max_entries > 0 && shown == max_entries) break;
    ++shown;
    const std::string_view what = to_string(e.type);
    p.raw("<li data-what=\"").raw(what).raw("\">").when(e.at).raw(" <span class=\"what what-").raw(what).raw("\">")
        .raw(what).raw("</span> ");
    if (e.type == explain_entry::kind::event) {
      p.raw("'").bdi(e.event, 200).raw("'");
      if (e.line > 0) p.raw(" (line ").num(static_cast<std::int64_t>(e.line)).raw(")");
    } else {
      p.bdi(e.target, 200).raw(" #").num(e.cycle);
    }
    if (!e.detail.empty()) p.raw(": ").bdi(e.detail, 2000);
    p.raw("</li>\n");
  }
  p.raw("</ol>\n");
  if (shown < t.entries.size())
    p.raw("<p class=\"note\" data-left-out=\"").num(static_cast<std::int64_t>(t.entries.size() - shown)).raw("\">")
        .num(static_cast<std::int64_t>(t.entries.size() - shown))
        .raw(" later transitions are not listed; duly explain lists them all.</p>\n");
}

void record_article(page& p, const record_timeline& t, instant as_of, int k, std::size_t max_entries) {
  p.raw("<article class=\"record\" id=\"record-").num(static_cast<std::int64_t>(k)).raw("\" data-id=\"").text(t.id)
      .raw("\">\n<h3>Record ").bdi(t.id, 200).raw("</h3>\n");
  timeline_svg(p, t, as_of, k);
  timers_table(p, t);
  explain_list(p, t, max_entries);
  p.raw("</article>\n");
}

std::string heading_title(const report& r) {
  std::string s = "Attainment report";
  if (!r.title.empty()) s += ": " + r.title;
  return s;
}

}  // namespace

void write_report_html(std::ostream& out, const report& r) {
  page p;
  const std::string title = heading_title(r);
  head(p, title + " as of " + format_instant(r.as_of));
  std::map<std::string, std::size_t> colors;
  for (const attainment_row& a : r.targets) colors.emplace(a.target, colors.size());

  p.raw("<header>\n<h1>").text(title, 300).raw("</h1>\n<p class=\"meta\">As of ").when(r.as_of).raw(" (UTC): ")
      .num(static_cast<std::int64_t>(r.events_applied)).raw(r.events_applied == 1 ? " event" : " events");
  if (r.events_ignored) p.raw(", ").num(static_cast<std::int64_t>(r.events_ignored)).raw(" later ones ignored");
  if (r.rejected)
    p.raw(", ").num(static_cast<std::int64_t>(r.rejected)).raw(r.rejected == 1 ? " input row rejected" : " input rows rejected");
  p.raw(".</p>\n<nav aria-label=\"Sections\"><ul><li><a href=\"#targets\">Targets</a></li><li><a href=\"#attainment\">"
        "Attainment table</a></li><li><a href=\"#months\">By month</a></li><li><a href=\"#breaches\">Breaches</a></li>"
        "<li><a href=\"#timelines\">Timelines</a></li></ul></nav>\n</header>\n<main>\n");
  headline(p, r);
  attainment_table(p, r);
  months_chart(p, r, colors);
  breaches_table(p, r);

  p.raw("<section id=\"timelines\" aria-labelledby=\"timelines-h\">\n<h2 id=\"timelines-h\">Timelines of the breached "
        "records</h2>\n");
  const std::size_t left_out = r.breached_records - r.timelines.size();
  p.raw("<p class=\"note\" data-timelines=\"").num(static_cast<std::int64_t>(r.timelines.size()))
      .raw("\" data-left-out=\"").num(static_cast<std::int64_t>(left_out)).raw("\">");
  if (r.timelines.empty()) p.raw("No record breached.");
  else if (left_out == 0) p.raw("Every breached record, the latest breach first.");
  else
    p.raw("The ").num(static_cast<std::int64_t>(r.timelines.size()))
        .raw(" records with the latest breaches; ")
        .num(static_cast<std::int64_t>(left_out))
        .raw(left_out == 1 ? " more breached record has" : " more breached records have")
        .raw(" no timeline here (duly explain --id ID --html shows one).");
  p.raw("</p>\n");
  for (std::size_t k = 0; k < r.timelines.size(); ++k)
    record_article(p, r.timelines[k], r.as_of, static_cast<int>(k), r.max_entries);
  p.raw("</section>\n</main>\n");
  foot(p);
  out << p.out;
}

void write_timeline_html(std::ostream& out, const record_timeline& t, instant as_of, std::string_view title) {
  page p;
  std::string heading = "Record " + t.id;
  head(p, heading + " as of " + format_instant(as_of));
  p.raw("<header>\n<h1>Record ").bdi(t.id, 300).raw("</h1>\n<p class=\"meta\">");
  if (!title.empty()) p.text(title, 300).raw(", as of ");
  else p.raw("As of ");
  p.when(as_of).raw(" (UTC).</p>\n</header>\n<main>\n");
  record_article(p, t, as_of, 0, 0);
  p.raw("</main>\n");
  foot(p);
  out << p.out;
}

}  // namespace duly
